package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Weights stay in the mapped checkpoint, so the Java heap does not grow with the model: a checkpoint
 * of more than 1 GiB generates under {@code -Xmx256m} the same greedy tokens as with the default heap.
 * Each run is a fresh JVM started the way {@code bin/ingot} starts one, so nothing from this JVM helps.
 */
class LowHeapTest {

    /**
     * A Llama shape of 1.08 GB in BF16: twelve TinyLlama-sized layers (dim 2048, MLP 5632, 16 heads over 4
     * KV heads). The vocabulary is the shared 512-token tokenizer's so every token it picks can be printed.
     */
    private static final int DIM = 2048;
    private static final int HIDDEN = 5632;
    private static final int LAYERS = 12;
    private static final int HEADS = 16;
    private static final int KV_DIM = 4 * DIM / HEADS;
    private static final int VOCAB = 512;

    @Test
    void aCheckpointOverOneGibGeneratesTheSameTokensWithA256MibHeap(@TempDir Path temp) throws Exception {
        Path model = temp.resolve("model");
        long bytes = writeRandomCheckpoint(model);
        assertThat(bytes).isGreaterThan(1L << 30);

        String small = generate(model, List.of("-Xmx256m"));
        String normal = generate(model, List.of());

        assertThat(small).startsWith("Once upon a time").isEqualTo(normal);
        assertThat(small.length()).isGreaterThan("Once upon a time".length());
    }

    private static String generate(Path model, List<String> heap) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC"));
        command.addAll(heap);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IngotCommand.class.getName(), "generate",
                "--model", model.toString(), "--tokenizer", SharedModels.storiesHf().resolve("tokenizer.json").toString(),
                "--prompt", "Once upon a time", "--max-tokens", "4", "--temperature", "0"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("ingot generate finished").isTrue();
        String text = new String(output, StandardCharsets.UTF_8)
                .lines().filter(line -> !line.startsWith("WARNING: Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
        assertThat(process.exitValue()).as("exit code of ingot generate %s; output:%n%s", heap, text).isZero();
        return text;
    }

    /** config.json plus a BF16 model.safetensors whose matrices are slices of one buffer of cheap pseudo-random values. */
    private static long writeRandomCheckpoint(Path folder) throws IOException {
        Files.createDirectories(folder);
        try (Arena arena = Arena.ofConfined()) {
            long largest = (long) HIDDEN * DIM;
            MemorySegment random = arena.allocate((largest + LAYERS * 7L) * 2, 64);
            long state = 42;
            for (long i = 0; i < random.byteSize() / 2; i++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                float value = ((state >>> 40) / (float) (1 << 24) - 0.5f) * 0.1f;
                random.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(value) >>> 16));
            }
            MemorySegment ones = arena.allocate(DIM * 2L, 64);
            for (int i = 0; i < DIM; i++) {
                ones.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToRawIntBits(1f) >>> 16));
            }
            SafetensorsWriter writer = new SafetensorsWriter();
            int[] slice = {0};
            Matrices matrices = (name, rows, cols) -> writer.add(name, DType.BF16, Shape.of(rows, cols),
                    random.asSlice(2L * slice[0]++, (long) rows * cols * 2));
            matrices.add(HfNames.EMBED, VOCAB, DIM);
            for (int l = 0; l < LAYERS; l++) {
                writer.add(HfNames.attnNorm(l), DType.BF16, Shape.of(DIM), ones);
                writer.add(HfNames.ffnNorm(l), DType.BF16, Shape.of(DIM), ones);
                matrices.add(HfNames.q(l), DIM, DIM);
                matrices.add(HfNames.k(l), KV_DIM, DIM);
                matrices.add(HfNames.v(l), KV_DIM, DIM);
                matrices.add(HfNames.o(l), DIM, DIM);
                matrices.add(HfNames.gate(l), HIDDEN, DIM);
                matrices.add(HfNames.up(l), HIDDEN, DIM);
                matrices.add(HfNames.down(l), DIM, HIDDEN);
            }
            writer.add(HfNames.FINAL_NORM, DType.BF16, Shape.of(DIM), ones);
            writer.writeTo(folder.resolve("model.safetensors"));
        }
        Files.writeString(folder.resolve("config.json"), """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": %d,
                 "intermediate_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "vocab_size": %d, "max_position_embeddings": 256, "rms_norm_eps": 1e-05,
                 "rope_theta": 10000.0, "tie_word_embeddings": true, "bos_token_id": 1, "eos_token_id": 2}
                """.formatted(DIM, HIDDEN, LAYERS, HEADS, KV_DIM * HEADS / DIM, VOCAB));
        return Files.size(folder.resolve("model.safetensors"));
    }

    private interface Matrices {
        void add(String name, int rows, int cols);
    }
}
