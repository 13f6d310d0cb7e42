package dev.ingot.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the written folder back with a parser of its own (regular expressions over the header, byte decoding by
 * hand), independent of the writer, and checks it against the safetensors layout rules and the returned weights.
 */
class CheckpointFormatTest {

    private static final Pattern ENTRY = Pattern.compile(
            "\"([^\"]+)\":\\{\"dtype\":\"(\\w+)\",\"shape\":\\[([0-9,]*)\\],\"data_offsets\":\\[(\\d+),(\\d+)\\]\\}");

    record Entry(String name, String dtype, int[] shape, long begin, long end) {}

    @TempDir
    Path dir;

    @Test
    void f32CheckpointParsesBackWithContiguousOffsetsAndTheReturnedValues() throws IOException {
        QwenConfig c = QwenConfig.tinyQwen3(); // real 151936 vocabulary: a ~40 MB file
        Map<String, float[]> weights = RandomQwenCheckpoint.write(dir, c, 7, DType.F32);
        checkFile(dir.resolve("model.safetensors"), c, weights, DType.F32);
    }

    @Test
    void bf16CheckpointStoresTheRoundedValuesItReturns() throws IOException {
        QwenConfig c = QwenConfig.tinyQwen2().withVocabSize(1000).withTieWordEmbeddings(false);
        Map<String, float[]> weights = RandomQwenCheckpoint.write(dir, c, 8, DType.BF16);
        for (float v : weights.get("model.layers.0.mlp.up_proj.weight")) {
            assertThat(Float.floatToRawIntBits(v) & 0xFFFF).isZero(); // representable in bfloat16
        }
        checkFile(dir.resolve("model.safetensors"), c, weights, DType.BF16);
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertThat(DType.BF16.round(1.00390625f)).isEqualTo(1.0f); // 1 + 2^-8: halfway, mantissa 0 is even
        assertThat(DType.BF16.round(1.01171875f)).isEqualTo(1.015625f); // 1 + 3*2^-8: halfway, up to even
        assertThat(DType.BF16.round(1.0040f)).isEqualTo(1.0078125f); // above halfway
        assertThat(DType.F16.round(1.0f / 3)).isEqualTo(0.333251953125f);
    }

    @Test
    void configJsonSpellsTheKeysAsQwenDoes() throws IOException {
        RandomQwenCheckpoint.write(dir, QwenConfig.tinyQwen3().withVocabSize(500), 9, DType.BF16);
        String json = Files.readString(dir.resolve("config.json"));
        assertThat(json).contains("\"architectures\": [\"Qwen3ForCausalLM\"]", "\"model_type\": \"qwen3\"",
                "\"hidden_size\": 64", "\"intermediate_size\": 128", "\"num_hidden_layers\": 2",
                "\"num_attention_heads\": 4", "\"num_key_value_heads\": 2", "\"head_dim\": 32",
                "\"rope_theta\": 1000000.0", "\"rms_norm_eps\": 1.0E-6", "\"tie_word_embeddings\": true",
                "\"max_position_embeddings\": 40960", "\"vocab_size\": 500", "\"bos_token_id\": 151643",
                "\"eos_token_id\": 151645", "\"attention_bias\": false", "\"torch_dtype\": \"bfloat16\"",
                "\"sliding_window\": null", "\"use_sliding_window\": false", "\"hidden_act\": \"silu\"");

        Path q2 = dir.resolve("q2");
        RandomQwenCheckpoint.write(q2, QwenConfig.tinyQwen2().withVocabSize(500), 9, DType.F32);
        String json2 = Files.readString(q2.resolve("config.json"));
        assertThat(json2).contains("\"architectures\": [\"Qwen2ForCausalLM\"]", "\"model_type\": \"qwen2\"",
                "\"torch_dtype\": \"float32\"").doesNotContain("head_dim", "attention_bias");
    }

    @Test
    void copiesTheSharedQwen3Tokenizer() throws IOException {
        Path tokenizer;
        try {
            tokenizer = RandomQwenCheckpoint.sharedQwen3Tokenizer();
        } catch (IllegalStateException e) {
            tokenizer = null;
        }
        assumeTrue(tokenizer != null && Files.exists(tokenizer.resolve("tokenizer.json")), "no shared tokenizer");
        RandomQwenCheckpoint.write(dir, QwenConfig.tinyQwen3().withVocabSize(500), 1, DType.F32, tokenizer);
        assertThat(Files.mismatch(dir.resolve("tokenizer.json"), tokenizer.resolve("tokenizer.json"))).isEqualTo(-1);
        assertThat(Files.mismatch(dir.resolve("tokenizer_config.json"), tokenizer.resolve("tokenizer_config.json")))
                .isEqualTo(-1);
    }

    private static void checkFile(Path file, QwenConfig c, Map<String, float[]> weights, DType dtype)
            throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(header.strip()).startsWith("{").endsWith("}");
        assertThat(header).contains("\"__metadata__\":{\"format\":\"pt\"}");

        List<Entry> entries = new ArrayList<>();
        Matcher m = ENTRY.matcher(header);
        while (m.find()) {
            int[] shape = Arrays.stream(m.group(3).split(",")).mapToInt(Integer::parseInt).toArray();
            entries.add(new Entry(m.group(1), m.group(2), shape, Long.parseLong(m.group(4)), Long.parseLong(m.group(5))));
        }
        Map<String, int[]> expected = QwenTensors.shapes(c);
        assertThat(entries).extracting(Entry::name).containsExactlyInAnyOrderElementsOf(expected.keySet());

        entries.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        long next = 0;
        for (Entry e : entries) {
            assertThat(e.dtype()).isEqualTo(dtype.name());
            assertThat(e.shape()).as(e.name()).containsExactly(expected.get(e.name()));
            assertThat(e.begin()).as("contiguous at " + e.name()).isEqualTo(next);
            long elements = Arrays.stream(e.shape()).asLongStream().reduce(1, (a, b) -> a * b);
            assertThat(e.end() - e.begin()).isEqualTo(elements * dtype.bytes());
            next = e.end();
        }
        assertThat((long) bytes.length).isEqualTo(8 + headerLength + next);

        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : entries) {
            float[] returned = weights.get(e.name());
            int base = (int) (8 + headerLength + e.begin());
            int step = Math.max(1, returned.length / 50); // sample each tensor; includes first values
            for (int i = 0; i < returned.length; i += step) {
                float stored = switch (dtype) {
                    case F32 -> data.getFloat(base + 4 * i);
                    case BF16 -> Float.intBitsToFloat((data.getShort(base + 2 * i) & 0xFFFF) << 16);
                    case F16 -> Float.float16ToFloat(data.getShort(base + 2 * i));
                };
                assertThat(stored).as(e.name() + "[" + i + "]").isEqualTo(returned[i]);
            }
        }
    }
}
