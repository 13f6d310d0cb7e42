package dev.ingot.plugins.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.plugins.gguf.testing.GgufCopy;
import dev.ingot.plugins.gguf.testing.GgufWriter.TensorType;
import dev.ingot.plugins.gguf.testing.HfCheckpoint;
import dev.ingot.plugins.gguf.testing.TinyQwen3Folder;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Qwen3 GGUF with a gpt2 vocabulary, made from a Hugging Face folder as llama.cpp would, read back. */
class QwenGgufTest {

    @TempDir
    static Path dir;
    private static Path hfDir;
    private static Path gguf;
    private final GgufFormat format = new GgufFormat();

    @BeforeAll
    static void convert() throws IOException {
        hfDir = TinyQwen3Folder.write(dir.resolve("qwen3-hf"));
        gguf = GgufCopy.write(hfDir, dir.resolve("qwen3.gguf"), TensorType.F32);
    }

    @Test
    void configIsQwen3InHuggingFaceWords() throws IOException {
        try (Checkpoint checkpoint = format.open(gguf, TestEngine.SERVICES)) {
            ModelConfig config = checkpoint.config();
            assertThat(config.architectures()).containsExactly("Qwen3ForCausalLM");
            assertThat(config.modelType()).contains("qwen3");
            assertThat(config.integer("head_dim")).contains(16);
            assertThat(config.integer("num_key_value_heads")).contains(1);
            assertThat(config.bool("attention_bias")).contains(false);
            assertThat(config.bool("tie_word_embeddings")).contains(true);
            assertThat(config.number("rope_theta")).contains(1000000.0);
            // Qwen's tokenizer adds no BOS: the config says none, whatever bos_token_id the tokenizer knows
            assertThat(config.has("bos_token_id")).isFalse();
            assertThat(config.values().get("bos_token_id")).isPresent();
            assertThat(config.integers("eos_token_id")).contains(java.util.List.of(6));
            ModelSpec spec = TestEngine.spec(config);
            assertThat(spec.bosTokenId()).isEqualTo(-1);
            assertThat(spec.vocabSize()).isEqualTo(8);
        }
    }

    /** llama.cpp does not permute Qwen's q/k rows, so every tensor maps by name alone and equals the original bit for bit. */
    @Test
    void everyWeightMapsWithoutOpsAndEqualsHuggingFace() throws IOException {
        HfCheckpoint hf = HfCheckpoint.read(hfDir);
        try (Checkpoint checkpoint = format.open(gguf, TestEngine.SERVICES); Arena arena = Arena.ofConfined()) {
            ModelSpec spec = TestEngine.spec(checkpoint.config());
            WeightMapper mapper = format.mapper(spec);
            Map<String, float[]> produced = new HashMap<>();
            for (TensorInfo info : checkpoint.tensors().list()) {
                TensorMapping.Target target = ((TensorMapping.Mapped) mapper.map(info)).targets().getFirst();
                assertThat(target.ops()).as(info.name()).isEmpty();
                produced.put(target.canonicalName(), DeclaredOps.apply(checkpoint.tensors().read(info.name()), target, arena));
            }
            assertThat(produced.keySet()).isEqualTo(TestEngine.expectedWeights(spec).keySet()).isEqualTo(hf.tensors().keySet());
            produced.forEach((name, values) -> assertThat(values).as(name).containsExactly(hf.get(name).values()));
        }
    }

    @Test
    void theGpt2VocabularyRunsOnTheEngine() throws IOException {
        try (Checkpoint checkpoint = format.open(gguf, TestEngine.SERVICES)) {
            Tokenizer tokenizer = checkpoint.tokenizer().orElseThrow();
            assertThat(tokenizer.vocabSize()).isEqualTo(8);
            assertThat(tokenizer.piece(7)).isEqualTo("[PAD7]");
            assertThat(tokenizer.eosId()).isEqualTo(6);
            assertThat(tokenizer.encode("hi hi<|im_end|>")).containsExactly(3, 4, 6);
        }
    }
}
