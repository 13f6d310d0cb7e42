package dev.ingot.plugins.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.plugins.gguf.testing.GgufCopy;
import dev.ingot.plugins.gguf.testing.GgufWriter;
import dev.ingot.plugins.gguf.testing.GgufWriter.TensorType;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SentencePiece vocabulary embedded in the GGUF copy of stories260K, checked against run.c's outputs. */
class GgufTokenizerTest {

    @TempDir
    static Path dir;
    private static Path gguf;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void convert() throws IOException {
        gguf = GgufCopy.write(SharedModels.storiesHf(), dir.resolve("stories.gguf"), TensorType.F32);
        tokenizer = new GgufTokenizerProvider().open(gguf, TestEngine.SERVICES);
    }

    @Test
    void onceUponATimeIsTheFourTokensRunCPrints() throws IOException {
        int[] ids = tokenizer.encode("Once upon a time");
        // run.c prints 4 prompt tokens for this prompt (models README); their pieces, looked up in tokenizer.json
        JsonNode vocab = new ObjectMapper().readTree(SharedModels.storiesHf().resolve("tokenizer.json").toFile())
                .get("model").get("vocab");
        int[] expected = List.of("▁Once", "▁upon", "▁a", "▁time").stream().mapToInt(p -> vocab.get(p).asInt()).toArray();
        assertThat(ids).containsExactly(expected);
    }

    @Test
    void runCsReferenceTextsRoundTrip() {
        for (String text : List.of(SharedModels.referenceOnceUponATime(), SharedModels.referenceEmptyPrompt())) {
            int[] ids = tokenizer.encode(text);
            assertThat(tokenizer.decode(tokenizer.bosId(), ids)).isEqualTo(text);
        }
    }

    /** The GGUF vocabulary (pieces from tokenizer.json, scores from tok512.bin) must tokenize exactly as run.c does. */
    @Test
    void encodesExactlyAsRunCDoes() throws IOException {
        RunCEncoder runC = new RunCEncoder(SharedModels.storiesTokenizer());
        List<String> texts = List.of(SharedModels.referenceOnceUponATime(), SharedModels.referenceEmptyPrompt(),
                "Once upon a time", "  two  spaces, tabs\tand\nnew lines  ", "naïve café 😀 日本", "<s> is text here", "a");
        for (String text : texts) {
            assertThat(tokenizer.encode(text)).as(text).containsExactly(runC.encode(text).stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToBytes() {
        int[] ids = tokenizer.encode("😀");
        // the dummy-prefix space, then U+1F600 as its four UTF-8 bytes
        assertThat(Arrays.stream(ids).mapToObj(tokenizer::piece).toList())
                .containsExactly("▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>");
        assertThat(tokenizer.decode(tokenizer.bosId(), ids)).isEqualTo("😀");
        assertThat(tokenizer.decode(tokenizer.bosId(), tokenizer.encode("naïve café"))).isEqualTo("naïve café");
    }

    @Test
    void specialTokensAndEdgeCases() {
        assertThat(tokenizer.vocabSize()).isEqualTo(512);
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
        assertThat(tokenizer.piece(1)).isEqualTo("<s>");
        assertThat(tokenizer.encode("")).isEmpty();
        assertThat(tokenizer.decode(-1, 1)).isEmpty();
        assertThat(tokenizer.decode(5, 2)).isEmpty();
        // the leading space is dropped only right after BOS
        int once = tokenizer.encode("Once")[0];
        assertThat(new String(tokenizer.decode(1, once))).isEqualTo("Once");
        assertThat(new String(tokenizer.decode(once, once))).isEqualTo(" Once");
    }

    @Test
    void checkpointServesTheSameTokenizer() throws IOException {
        try (Checkpoint checkpoint = new GgufFormat().open(gguf, TestEngine.SERVICES)) {
            Tokenizer own = checkpoint.tokenizer().orElseThrow();
            assertThat(own.encode("Once upon a time")).containsExactly(tokenizer.encode("Once upon a time"));
        }
    }

    @Test
    void providerDetectsOnlyGgufFilesWithAVocabulary() throws IOException {
        GgufTokenizerProvider provider = new GgufTokenizerProvider();
        assertThat(provider.name()).isEqualTo("gguf-tokenizer");
        assertThat(provider.detect(gguf, TestEngine.SERVICES).tier()).isEqualTo(Detection.Tier.SIGNATURE);
        assertThat(provider.detect(SharedModels.storiesTokenizer(), TestEngine.SERVICES).matches()).isFalse();
        Path bare = new GgufWriter().string("general.architecture", "llama").write(dir.resolve("bare.gguf"));
        assertThat(provider.detect(bare, TestEngine.SERVICES).matches()).isFalse();
        assertThatThrownBy(() -> provider.open(bare, TestEngine.SERVICES)).isInstanceOf(CheckpointException.class)
                .hasMessage(bare + ": this GGUF file has no embedded tokenizer ('tokenizer.ggml.model' is missing)");
    }

    @Test
    void otherTokenizerModelsAreRefusedByName() throws IOException {
        Path rwkv = new GgufWriter().string("tokenizer.ggml.model", "rwkv")
                .strings("tokenizer.ggml.tokens", List.of("a", "b")).write(dir.resolve("rwkv.gguf"));
        assertThatThrownBy(() -> new GgufTokenizerProvider().open(rwkv, TestEngine.SERVICES)).isInstanceOf(CheckpointException.class)
                .hasMessage(rwkv + ": tokenizer model 'rwkv' ('tokenizer.ggml.model') is not supported; this plugin reads"
                        + " [llama, gpt2]; pass --tokenizer");
    }

    /**
     * A {@code gpt2} vocabulary in GPT-2's byte-level spelling ({@code Ġ} is the space): "hi hi" splits into
     * "hi" and " hi", which merge ("h i" first, then "Ġ hi") into two tokens; the CONTROL token (type 3)
     * is matched whole in text.
     */
    @Test
    void gpt2VocabulariesRunOnTheEnginesByteLevelBpe() throws IOException {
        Path file = new GgufWriter().string("tokenizer.ggml.model", "gpt2").string("tokenizer.ggml.pre", "qwen2")
                .strings("tokenizer.ggml.tokens", List.of("h", "i", "\u0120", "hi", "\u0120hi", "<|end|>"))
                .int32s("tokenizer.ggml.token_type", new int[] {1, 1, 1, 1, 1, 3})
                .strings("tokenizer.ggml.merges", List.of("h i", "\u0120 hi"))
                .uint32("tokenizer.ggml.eos_token_id", 5)
                .bool("tokenizer.ggml.add_bos_token", false)
                .write(dir.resolve("gpt2.gguf"));
        Tokenizer bpe = new GgufTokenizerProvider().open(file, TestEngine.SERVICES);
        assertThat(bpe.vocabSize()).isEqualTo(6);
        assertThat(bpe.eosId()).isEqualTo(5);
        assertThat(bpe.bosId()).isEqualTo(-1);
        assertThat(bpe.encode("hi hi")).containsExactly(3, 4);
        assertThat(bpe.encode("hi<|end|>")).containsExactly(3, 5);
        assertThat(bpe.decode(-1, new int[] {3, 4})).isEqualTo("hi hi");
    }
}
