package dev.ingot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.actor.PushException;
import dev.ingot.actor.PushResult;
import dev.ingot.actor.WeightPusher;
import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.plugins.gguf.testing.GgufWriter;
import dev.ingot.plugins.gguf.testing.QwenGgufCopy;
import dev.ingot.server.http.IngotServer;
import dev.ingot.server.http.ServerConfig;
import dev.ingot.server.http.WeightRouteOptions;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.testkit.SharedModels;
import dev.ingot.testkit.reference.QwenConfig;
import dev.ingot.testkit.reference.RandomQwenCheckpoint;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Qwen3 checkpoint served over real HTTP by {@code IngotServer}, with the qwen architecture and the gguf
 * format coming from jars in the plugin folder (neither is on the class path): a chat completion's prompt is
 * exactly the encoding (no BOS) of transformers' own rendering of the conversation with the real Qwen3 chat
 * template, and it generates what an in-process {@link Generator} generates from those ids; a FULL update
 * pushed in HF names (another random checkpoint), then one pushed in llama.cpp's GGUF names (a copy of the
 * first), each changes what the server generates into what a fresh load of those weights generates; a
 * refused update changes nothing.
 */
class QwenServingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "qwen-serving-token";
    private static final String MODEL_NAME = "qwen3-tiny";
    private static final int MAX_TOKENS = 6;
    /** Qwen's {@code <|im_start|>}: the template's turns must reach the model as this one special id. */
    private static final int IM_START = 151644;
    /** What Qwen's config.json calls BOS ({@code <|endoftext|>}); Qwen prompts never start with it. */
    private static final int QWEN_BOS = 151643;
    /** float32 log-probabilities printed as JSON floats, batched vs. single-sequence arithmetic. */
    private static final double LOGPROB_TOLERANCE = 1e-3;
    private static final String Q_NORM = "model.layers.0.self_attn.q_norm.weight";

    @TempDir
    Path temp;

    /** One line of the shared {@code chat.jsonl}: messages, template kwargs, and transformers' rendering. */
    private record ChatLine(JsonNode messages, JsonNode kwargs, String rendered) {}

    /** What greedy decoding produced: token ids and their log-probabilities. */
    private record Greedy(List<Integer> tokens, List<Double> logprobs) {}

    @Test
    void aQwen3CheckpointServesAndTakesFullUpdatesInHfAndGgufNames() throws Exception {
        QwenConfig config = QwenConfig.tinyQwen3();
        Path folderA = temp.resolve("qwen3-a");
        Path folderB = temp.resolve("qwen3-b");
        RandomQwenCheckpoint.write(folderA, config, 7, dev.ingot.testkit.reference.DType.F32, RandomQwenCheckpoint.sharedQwen3Tokenizer());
        RandomQwenCheckpoint.write(folderB, config, 8, dev.ingot.testkit.reference.DType.F32, RandomQwenCheckpoint.sharedQwen3Tokenizer());
        Path ggufA = QwenGgufCopy.write(folderA, temp.resolve("qwen3-a.gguf"), GgufWriter.TensorType.F32);
        ChatLine chat = richestConversation();

        // What the served model must answer, computed in-process on each weight set from the same prompt ids.
        int[] prompt;
        Greedy onA;
        Greedy onB;
        try (LoadedModel a = load(folderA)) {
            prompt = a.tokenizer().encode(chat.rendered());
            onA = greedy(a, prompt);
        }
        try (LoadedModel b = load(folderB)) {
            onB = greedy(b, prompt);
        }
        assertThat(onB.tokens()).as("B's weights answer differently from A's, so each swap is visible").isNotEqualTo(onA.tokens());
        // The encoding itself: every <|im_start|> of the rendered text is Qwen's one special id, and no BOS is added.
        assertThat(prompt[0]).isEqualTo(IM_START);
        assertThat(prompt).doesNotContain(QWEN_BOS);
        assertThat(Arrays.stream(prompt).filter(t -> t == IM_START).count())
                .isEqualTo(chat.rendered().split("<\\|im_start\\|>", -1).length - 1L);

        ServerConfig serverConfig = ServerConfig.loopback(MODEL_NAME)
                .withWeightRoutes(new WeightRouteOptions(Optional.of(TOKEN), List.of()));
        try (IngotServer server = IngotServer.start(serverConfig, () -> load(folderA))) {
            server.awaitReady(Duration.ofSeconds(60));
            LoadedModel served = server.model().orElseThrow();
            assertThat(served.architecture().architecture().name()).isEqualTo("qwen3");
            assertThat(served.architecture().pluginName()).isEqualTo("qwen");
            // No Qwen code in the engine: the architecture's class comes from the plugin jar's own loader.
            assertThat(served.architecture().architecture().getClass().getClassLoader())
                    .isNotSameAs(IngotServer.class.getClassLoader());
            Api api = new Api(server.uri());

            // 1. Version 1 (A, loaded at start): the template's prompt, A's greedy tokens.
            assertAnswers(api.chat(chat), prompt, onA, 1);

            // 2. A FULL update in Hugging Face names: every tensor of B, version 2.
            PushResult toB = push(server.uri(), folderB, "hf", 2);
            assertThat(toB.version()).isEqualTo(2);
            assertThat(toB.tensors()).isEqualTo(api.weights().path("tensors").size());
            assertThat(api.weights().path("format").asText()).isEqualTo("hf");
            assertAnswers(api.chat(chat), prompt, onB, 2);

            // 3. A FULL update in the gguf format's own names (A's GGUF copy), version 3: A's answer again.
            List<String> ggufNames = nativeNames(ggufA, "gguf");
            assertThat(ggufNames).contains("token_embd.weight", "blk.0.attn_q_norm.weight").noneMatch(n -> n.startsWith("model."));
            PushResult backToA = push(server.uri(), ggufA, "gguf", 3);
            assertThat(backToA.version()).isEqualTo(3);
            assertThat(backToA.tensors()).isEqualTo(ggufNames.size());
            assertThat(api.weights().path("format").asText()).isEqualTo("gguf");
            assertAnswers(api.chat(chat), prompt, onA, 3);

            // 4. A refused update: q_norm is [head_dim] = [32]; a [16] one is refused on arrival with 422.
            PushException refused = catchThrowableOfType(PushException.class, () -> pushWrongQNorm(server.uri(), config.headDim() / 2));
            assertThat(refused).as("the wrong-shaped q_norm must be refused").isNotNull();
            assertThat(refused.status()).as(refused.getMessage()).isEqualTo(422);
            assertThat(refused.code()).isEqualTo("update_rejected");
            assertThat(refused.getMessage()).contains(Q_NORM).contains("[" + config.headDim() + "]");
            JsonNode weights = api.weights();
            assertThat(weights.path("version").asLong()).isEqualTo(3);
            assertThat(weights.path("format").asText()).isEqualTo("gguf");
            assertThat(weights.path("open_updates").asInt()).isZero();
            assertAnswers(api.chat(chat), prompt, onA, 3);
        }
    }

    /** The conversation of the shared file with a generation prompt and the most turns (system, history, kwargs). */
    private static ChatLine richestConversation() throws IOException {
        List<ChatLine> lines = new ArrayList<>();
        for (String line : Files.readAllLines(SharedModels.tokenizers().resolve("qwen3").resolve("chat.jsonl"))) {
            JsonNode node = JSON.readTree(line);
            if (node.path("add_generation_prompt").asBoolean()) {
                lines.add(new ChatLine(node.get("messages"), node.path("kwargs"), node.get("rendered").asText()));
            }
        }
        return lines.stream().max(Comparator.comparingInt(l -> l.messages().size())).orElseThrow();
    }

    private static PluginConfig plugins() {
        return PluginConfig.of(List.of(ItPlugins.folder()));
    }

    private static LoadedModel load(Path location) throws IOException {
        return ModelLoader.load(LoadOptions.of(location).withPlugins(plugins()));
    }

    private static Greedy greedy(LoadedModel model, int[] prompt) {
        Completion completion = new Generator(model).generate(prompt, SamplingParams.greedy(), MAX_TOKENS, 0, t -> {});
        return new Greedy(completion.tokens().stream().map(SampledToken::token).toList(),
                completion.tokens().stream().map(t -> (double) t.logprob()).toList());
    }

    /** The answer used exactly {@code prompt}, generated {@code expected}, and says it ran on {@code version}. */
    private static void assertAnswers(JsonNode response, int[] prompt, Greedy expected, long version) {
        JsonNode choice = response.path("choices").path(0);
        assertThat(ints(choice.path("prompt_token_ids"))).as("the prompt ids the server used")
                .isEqualTo(Arrays.stream(prompt).boxed().toList());
        assertThat(response.path("usage").path("prompt_tokens").asInt()).isEqualTo(prompt.length);
        assertThat(ints(choice.path("token_ids"))).as("greedy tokens on version %d", version).isEqualTo(expected.tokens());
        JsonNode content = choice.path("logprobs").path("content");
        assertThat(content.size()).isEqualTo(expected.logprobs().size());
        for (int i = 0; i < content.size(); i++) {
            assertThat(content.get(i).path("logprob").asDouble()).as("logprob of token %d", i)
                    .isCloseTo(expected.logprobs().get(i), within(LOGPROB_TOLERANCE));
        }
        assertThat(choice.path("weight_version").asLong()).isEqualTo(version);
        assertThat(response.path("weight_version").asLong()).isEqualTo(version);
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    /** Opens a checkpoint the way {@code ingot push} does: through the plugin folder, every call guarded. */
    private static Checkpoint open(PluginHost host, Path location, String format) throws IOException {
        FormatChoice choice = host.select(location, Optional.of(format));
        return host.guard(host.open(choice, location), choice, location);
    }

    private static List<String> nativeNames(Path location, String format) throws IOException {
        try (PluginHost host = PluginHost.discover(plugins()); Checkpoint checkpoint = open(host, location, format)) {
            return checkpoint.tensors().list().stream().map(TensorInfo::name).toList();
        }
    }

    /** Every tensor of the checkpoint, in its format's native names, as one FULL update. */
    private static PushResult push(URI server, Path location, String format, long version) throws IOException {
        try (PluginHost host = PluginHost.discover(plugins());
                Checkpoint checkpoint = open(host, location, format);
                // Smaller than the 39 MB embedding, so the push takes several buckets, one tensor alone in one.
                WeightPusher pusher = WeightPusher.builder(server).token(TOKEN).bucketBytes(4L << 20).build()) {
            return pusher.push(version, UpdateMode.FULL, format, format + " v" + version, SwapPolicy.FINISH,
                    WeightPusher.tensorsOf(checkpoint.tensors()));
        }
    }

    /** A PARTIAL update of layer 0's q_norm with {@code length} elements instead of head_dim. */
    private static void pushWrongQNorm(URI server, int length) throws IOException {
        // Shared: the pusher checksums a bucket on its own thread while the previous one uploads.
        try (Arena arena = Arena.ofShared();
                WeightPusher pusher = WeightPusher.builder(server).token(TOKEN).retries(0).build()) {
            Tensor wrong = new Tensor(TensorInfo.of(Q_NORM, DType.F32, length), arena.allocate(length * 4L, 8));
            pusher.push(4, UpdateMode.PARTIAL, "hf", "wrong q_norm", SwapPolicy.FINISH, List.of(wrong));
        }
    }

    /** The server's OpenAI-compatible and weight routes over a real loopback socket. */
    private static final class Api {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final URI base;

        Api(URI base) {
            this.base = base;
        }

        /** {@code POST /v1/chat/completions}: greedy, a few tokens, with prompt/completion ids and log-probabilities. */
        JsonNode chat(ChatLine line) throws IOException, InterruptedException {
            ObjectNode body = JSON.createObjectNode();
            body.put("model", MODEL_NAME);
            body.set("messages", line.messages());
            body.set("chat_template_kwargs", line.kwargs());
            body.put("max_tokens", MAX_TOKENS);
            body.put("temperature", 0);
            body.put("logprobs", true);
            body.put("return_token_ids", true);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }

        /** {@code GET /v1/weights} (no token needed): the served version, format and tensor list. */
        JsonNode weights() throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/weights")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }
    }
}
