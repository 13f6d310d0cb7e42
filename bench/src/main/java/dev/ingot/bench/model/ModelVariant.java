package dev.ingot.bench.model;

import dev.ingot.spi.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** One synthetic checkpoint: a shape written in one layout and weight type. */
public record ModelVariant(ModelShape shape, Layout layout, DType dtype) {

    public enum Layout {
        /** llama2.c's flat {@code .bin} (F32 only), opened by the llama2c plugin. */
        LLAMA2C("llama2.c"),
        /** Hugging Face: config.json + model.safetensors, opened by the built-in hf format. */
        HF("HF");

        final String label;

        Layout(String label) {
            this.label = label;
        }
    }

    public ModelVariant {
        if (layout == Layout.LLAMA2C && dtype != DType.F32) {
            throw new IllegalArgumentException("llama2.c checkpoints are F32 only");
        }
    }

    public String label() {
        return shape.name() + " " + layout.label + " " + dtype;
    }

    /** Where the checkpoint lives under {@code root}: a file for llama2.c, a folder for HF. */
    public Path location(Path root) {
        String base = "llama-" + shape.name() + "-" + dtype.name().toLowerCase();
        return layout == Layout.LLAMA2C ? root.resolve(base + ".bin") : root.resolve(base + "-hf");
    }

    /** The files holding the weights (what {@code cat} reads for the baseline). */
    public List<Path> files(Path root) throws IOException {
        Path location = location(root);
        if (Files.isRegularFile(location)) {
            return List.of(location);
        }
        try (Stream<Path> files = Files.list(location)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    public long weightBytes(Path root) throws IOException {
        long total = 0;
        for (Path f : files(root)) {
            total += Files.size(f);
        }
        return total;
    }
}
