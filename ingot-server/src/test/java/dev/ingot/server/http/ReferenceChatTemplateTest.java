package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.tokenizer.HfTokenizer;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Qwen3's real chat template renders every conversation of {@code ../shared/tokenizers/qwen3/chat.jsonl}
 * byte for byte as Hugging Face did (thinking blocks, enable_thinking, reversed message scans...).
 */
class ReferenceChatTemplateTest {

    /** One chat.jsonl line; {@code line} is 1-based. */
    record Conversation(int line, List<ChatTemplate.Message> messages, boolean addGenerationPrompt,
                        Map<String, Object> kwargs, String rendered) {
        @Override
        public String toString() {
            return "chat:" + line + " " + kwargs;
        }
    }

    private static final Path QWEN3 = SharedModels.tokenizers().resolve("qwen3");
    private static HfTokenizer tokenizer;
    private static ChatTemplate template;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = HfTokenizer.load(QWEN3);
        template = ChatTemplate.forModel(QWEN3, tokenizer);
    }

    static List<Conversation> conversations() throws IOException {
        List<String> rows = Files.readAllLines(QWEN3.resolve("chat.jsonl"), StandardCharsets.UTF_8);
        List<Conversation> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = Json.MAPPER.readTree(rows.get(i));
            List<ChatTemplate.Message> messages = new ArrayList<>();
            row.get("messages").forEach(m -> messages.add(new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText())));
            out.add(new Conversation(i + 1, messages, row.get("add_generation_prompt").asBoolean(),
                    Json.MAPPER.convertValue(row.get("kwargs"), new TypeReference<Map<String, Object>>() {}),
                    row.get("rendered").asText()));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void rendersAsHuggingFace(Conversation conversation) {
        assertThat(template.isPresent()).isTrue();

        String rendered = template.render(conversation.messages(), conversation.addGenerationPrompt(), conversation.kwargs());

        assertThat(rendered).isEqualTo(conversation.rendered());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void promptIdsAreTheRenderedTextWithoutBos(Conversation conversation) {
        if (!conversation.addGenerationPrompt()) {
            return; // the chat endpoint always asks for the generation prompt
        }
        int[] ids = template.encode(conversation.messages(), conversation.kwargs(), tokenizer);

        // Qwen3 has no BOS; the chat markers are single special tokens, not their spelling.
        assertThat(ids).isEqualTo(tokenizer.encode(conversation.rendered()));
        assertThat(ids[0]).isEqualTo(tokenizer.tokenId("<|im_start|>").orElseThrow());
        assertThat(tokenizer.decodeText(ids, false)).isEqualTo(conversation.rendered());
    }

    @Test
    void prefersChatTemplateJinjaBesideTheTokenizer(@TempDir Path folder) throws IOException {
        Files.copy(QWEN3.resolve("tokenizer_config.json"), folder.resolve("tokenizer_config.json"));
        Files.writeString(folder.resolve("chat_template.jinja"),
                "{% for m in messages %}[{{ m.role | upper }}] {{ m.content.strip() }}{% endfor %}");

        ChatTemplate fromJinja = ChatTemplate.forModel(folder, tokenizer);

        assertThat(fromJinja.render(List.of(new ChatTemplate.Message("user", "  hi  ")), false, Map.of()))
                .isEqualTo("[USER] hi");
    }

    @Test
    void pythonSyntaxTheTemplatesUse() {
        assertThat(renderAlone("{{ namespace(a=1, b=[1, 2, 3]|length - 1).b }}")).isEqualTo("2");
        assertThat(renderAlone("{{ [1, 2, 3, 4][::-1] }}|{{ 'abcdef'[1:5:2] }}|{{ [1, 2, 3][-2:] }}")).isEqualTo("[4, 3, 2, 1]|bd|[2, 3]");
        assertThat(renderAlone("{{ 'a<b>c'.split('<b>')[-1] }}{{ 'x,y'.split(',') | length }}{{ '\\n\\nz\\n'.lstrip('\\n').rstrip() }}"))
                .isEqualTo("c2z");
        assertThat(renderAlone("{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(['x', 'c']) }} {{ ', '.join(['a', 'b']) }}"))
                .isEqualTo("true true a, b");
        assertThat(renderAlone("{{ {'name': 'f', 'n': [1, true, none], 'u': 'é\"'} | tojson }}"))
                .isEqualTo("{\"name\": \"f\", \"n\": [1, true, null], \"u\": \"é\\\"\"}");
        // Jinja2's `not` takes the whole test or comparison (DeepSeek V3 opens with `not add_generation_prompt is defined`)
        assertThat(renderAlone("{% if not nothing is defined %}a{% endif %}{% if not add_generation_prompt is defined %}X{% endif %}"
                + "{% if not 1 == 2 %}b{% endif %}{% if not 'x' in 'xy' %}X{% endif %}{% if not 1 > 2 and 2 > 1 %}c{% endif %}"))
                .isEqualTo("abc");
    }

    private static String renderAlone(String source) {
        try {
            Path folder = Files.createTempDirectory("template");
            Files.writeString(folder.resolve("chat_template.jinja"), source);
            return ChatTemplate.forModel(folder, tokenizer).render(List.of(), false, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
