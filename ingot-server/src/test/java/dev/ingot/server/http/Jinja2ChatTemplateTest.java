package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.tokenizer.HfTokenizer;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real chat templates (DeepSeek V3's and Qwen3's, read from {@code ../shared/tokenizers/}) rendered by
 * our Jinja and by the renderer Hugging Face uses — Python's jinja2, set up as transformers sets it up
 * ({@code src/test/resources/jinja/render_chat.py}) — must agree byte for byte on every conversation:
 * the stored Qwen3 set, each with the generation prompt flipped, and a few more that exercise
 * system-prompt joining, tool outputs, quotes and non-ASCII text.
 */
class Jinja2ChatTemplateTest {

    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(60);
    private static String python;

    @BeforeAll
    static void findJinja2() throws Exception {
        python = "python3";
        String missing = null;
        try {
            Process check = new ProcessBuilder(python, "-c", "import jinja2").redirectErrorStream(true).start();
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!check.waitFor(30, TimeUnit.SECONDS) || check.exitValue() != 0) {
                missing = "python3 cannot import jinja2: " + output.strip();
            }
        } catch (IOException e) {
            missing = "python3 is not installed: " + e.getMessage();
        }
        String reason = missing;
        assumeTrue(reason == null, () -> "the reference renderer needs python3 with jinja2 (pip install jinja2): " + reason);
    }

    record Case(List<ChatTemplate.Message> messages, boolean addGenerationPrompt, Map<String, Object> kwargs) {}

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"deepseek_v3", "qwen3"})
    void rendersAsPythonJinja2(String name) throws Exception {
        Path folder = SharedModels.tokenizers().resolve(name);
        ChatTemplate template = ChatTemplate.forModel(folder, HfTokenizer.load(folder));
        assertThat(template.isPresent()).as("%s has a chat template", name).isTrue();
        List<Case> cases = cases();

        List<JsonNode> reference = renderWithJinja2(folder.resolve("tokenizer_config.json"), cases);

        SoftAssertions softly = new SoftAssertions();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            JsonNode expected = reference.get(i);
            assertThat(expected.has("rendered")).as("jinja2 rendered case %d: %s", i, expected).isTrue();
            String ours = template.render(c.messages(), c.addGenerationPrompt(), c.kwargs());
            softly.assertThat(ours).as("case %d %s", i, c).isEqualTo(expected.get("rendered").asText());
        }
        softly.assertAll();
    }

    /** The stored Qwen3 conversations, each also with the generation prompt flipped, and a few of our own. */
    private static List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (String row : Files.readAllLines(SharedModels.tokenizers().resolve("qwen3/chat.jsonl"), StandardCharsets.UTF_8)) {
            JsonNode json = Json.MAPPER.readTree(row);
            List<ChatTemplate.Message> messages = new ArrayList<>();
            json.get("messages").forEach(m -> messages.add(new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText())));
            Map<String, Object> kwargs = Json.MAPPER.convertValue(json.get("kwargs"), new TypeReference<>() {});
            boolean generationPrompt = json.get("add_generation_prompt").asBoolean();
            out.add(new Case(messages, generationPrompt, kwargs));
            out.add(new Case(messages, !generationPrompt, kwargs));
        }
        out.add(new Case(List.of(m("system", "First rule."), m("system", "Second rule."), m("user", "Go.")), true, Map.of()));
        out.add(new Case(List.of(m("user", "Weather in Hanoi?"), m("tool", "{\"temp_c\": 31}"), m("tool", "{\"rain\": false}"),
                m("assistant", "31 °C and dry.")), false, Map.of()));
        out.add(new Case(List.of(m("user", "Say \"hi\" in Greek, then 'bye' in Thai: \\n stays literal")), true,
                Map.of("enable_thinking", false)));
        out.add(new Case(List.of(m("user", "  padded  \n"), m("assistant", "\n\n<think>\nhm\n</think>\n\n  ok  ")), true, Map.of()));
        out.add(new Case(List.of(m("user", "")), true, Map.of()));
        return out;
    }

    private static ChatTemplate.Message m(String role, String content) {
        return new ChatTemplate.Message(role, content);
    }

    private static List<JsonNode> renderWithJinja2(Path tokenizerConfig, List<Case> cases) throws Exception {
        ObjectNode request = Json.object();
        request.put("tokenizer_config", tokenizerConfig.toAbsolutePath().toString());
        ArrayNode array = request.putArray("cases");
        for (Case c : cases) {
            ObjectNode one = array.addObject();
            ArrayNode messages = one.putArray("messages");
            c.messages().forEach(m -> messages.addObject().put("role", m.role()).put("content", m.content()));
            one.put("add_generation_prompt", c.addGenerationPrompt());
            one.set("kwargs", Json.MAPPER.valueToTree(c.kwargs()));
        }
        Path script = Files.createTempFile("render_chat", ".py");
        try (InputStream in = Jinja2ChatTemplateTest.class.getResourceAsStream("/jinja/render_chat.py")) {
            Files.write(script, in.readAllBytes());
        }
        try {
            Process process = new ProcessBuilder(python, script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(Json.write(request).getBytes(StandardCharsets.UTF_8));
            }
            byte[] stdout = process.getInputStream().readAllBytes();
            assertThat(process.waitFor(PYTHON_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("render_chat.py finished").isTrue();
            assertThat(process.exitValue()).as("render_chat.py exit code").isZero();
            List<JsonNode> out = new ArrayList<>();
            Json.MAPPER.readTree(stdout).forEach(out::add);
            assertThat(out).hasSameSizeAs(cases);
            return out;
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
