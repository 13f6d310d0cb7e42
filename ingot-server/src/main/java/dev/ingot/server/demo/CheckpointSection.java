package dev.ingot.server.demo;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** Writes the demo's checkpoint with the acme plugin's own writer, and its tokenizer beside it. */
final class CheckpointSection {

    private CheckpointSection() {}

    static void write(DemoOutput out, Timings timings, CheckpointFormat acme, Path folder, ModelSpec spec,
            Map<String, Tensor> weights, long seed, DemoVocabulary vocabulary) throws IOException {
        CheckpointWriter writer = acme.writer().orElseThrow(() -> new CheckpointException(
                "format '" + acme.name() + "' offers no writer; the demo needs one to produce its checkpoint"));
        long parameters = weights.values().stream().mapToLong(t -> t.info().shape().elementCount()).sum();
        out.fact("model", String.format(Locale.ROOT, "llama, %d layers, width %d, %d heads (%d kv), ffn %d, vocab %d: "
                        + "%.2f M parameters drawn from seed %d", spec.layers(), spec.hiddenSize(), spec.heads(), spec.kvHeads(),
                spec.ffnSize(), spec.vocabSize(), parameters / 1e6, seed));
        long start = System.nanoTime();
        writer.write(folder, spec, LlamaArchitecture.llama().describe(spec), weights);
        long nanos = System.nanoTime() - start;
        vocabulary.write(folder);
        List<Path> files = listFiles(folder);
        long bytes = files.stream().mapToLong(CheckpointSection::size).sum();
        out.fact("written", folder + " by the acme plugin's CheckpointWriter (format.writer())");
        out.fact("files", files.size() + " files, " + String.format(Locale.ROOT, "%.1f MB", bytes / 1e6) + ": "
                + String.join(", ", files.stream().limit(4).map(f -> folder.relativize(f).toString()).toList()) + ", ...");
        out.fact("tokenizer", "tokenizer.json (+ tokenizer_config.json): the demo's " + vocabulary.size() + "-token byte-level"
                + " BPE of characters and English fragments, so random weights print nonsense words");
        timings.add("write checkpoint", nanos, "acme writer, " + files.size() + " files");
    }

    private static List<Path> listFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
