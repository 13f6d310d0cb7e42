package dev.ingot.bench.model;

import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;

/**
 * Writes random-weight checkpoints of realistic shapes, once: a finished checkpoint is reused by
 * later runs (a {@code .done} marker beside it says the write completed).
 */
public final class SyntheticModels {

    /** Uniform weights in +-0.05: activations stay finite through 22 layers, which is all decoding speed needs. */
    private static final float SCALE = 0.05f;

    private final Path root;

    public SyntheticModels(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** The checkpoint of {@code variant}, written first if missing. */
    public Path ensure(ModelVariant variant) throws IOException {
        Path location = variant.location(root);
        Path done = root.resolve(location.getFileName() + ".done");
        if (Files.exists(done) && Files.exists(location)) {
            return location;
        }
        Files.createDirectories(root);
        ModelShape s = variant.shape();
        try (RandomWeights random = new RandomWeights(s.largestMatrix(), Math.max(s.dim(), s.hidden()), SCALE)) {
            switch (variant.layout()) {
                case LLAMA2C -> writeLlama2c(s, random, location);
                case HF -> writeHf(s, variant.dtype(), random, location);
            }
        }
        Files.writeString(done, "");
        return location;
    }

    /**
     * llama2.c's legacy export: seven little-endian int32s (dim, hidden, layers, heads, kv heads, vocab
     * — negative when the classifier is separate — and sequence length), then F32 arrays in run.c's
     * order, each per-layer weight stacked over layers, the two unused RoPE tables, the classifier.
     */
    private static void writeLlama2c(ModelShape s, RandomWeights random, Path file) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer header = ByteBuffer.allocate(7 * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(s.dim()).putInt(s.hidden()).putInt(s.layers()).putInt(s.heads()).putInt(s.kvHeads())
                    .putInt(s.tied() ? s.vocab() : -s.vocab()).putInt(s.seqLen()).flip();
            writeFully(out, header);
            DType f32 = DType.F32;
            write(out, random.random(f32, (long) s.vocab() * s.dim()));
            stacked(out, s.layers(), () -> random.ones(f32, s.dim()));
            stacked(out, s.layers(), () -> random.random(f32, (long) s.dim() * s.dim()));
            stacked(out, s.layers(), () -> random.random(f32, (long) s.kvDim() * s.dim()));
            stacked(out, s.layers(), () -> random.random(f32, (long) s.kvDim() * s.dim()));
            stacked(out, s.layers(), () -> random.random(f32, (long) s.dim() * s.dim()));
            stacked(out, s.layers(), () -> random.ones(f32, s.dim()));
            stacked(out, s.layers(), () -> random.random(f32, (long) s.hidden() * s.dim()));
            stacked(out, s.layers(), () -> random.random(f32, (long) s.dim() * s.hidden()));
            stacked(out, s.layers(), () -> random.random(f32, (long) s.hidden() * s.dim()));
            write(out, random.ones(f32, s.dim()));
            write(out, random.random(f32, (long) s.seqLen() * s.headDim() / 2));
            write(out, random.random(f32, (long) s.seqLen() * s.headDim() / 2));
            if (!s.tied()) {
                write(out, random.random(f32, (long) s.vocab() * s.dim()));
            }
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private interface Slice {
        MemorySegment next();
    }

    private static void stacked(FileChannel out, int layers, Slice slice) throws IOException {
        for (int l = 0; l < layers; l++) {
            write(out, slice.next());
        }
    }

    private static void write(FileChannel out, MemorySegment data) throws IOException {
        writeFully(out, data.asByteBuffer());
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /** config.json (LlamaForCausalLM) and one model.safetensors with Hugging Face's tensor names. */
    private static void writeHf(ModelShape s, DType dtype, RandomWeights random, Path folder) throws IOException {
        Files.createDirectories(folder);
        SafetensorsWriter writer = new SafetensorsWriter().metadata(Map.of("format", "pt"));
        writer.add(HfNames.EMBED, dtype, Shape.of(s.vocab(), s.dim()), random.random(dtype, (long) s.vocab() * s.dim()));
        for (int i = 0; i < s.layers(); i++) {
            writer.add(HfNames.attnNorm(i), dtype, Shape.of(s.dim()), random.ones(dtype, s.dim()));
            matrix(writer, random, dtype, HfNames.q(i), s.dim(), s.dim());
            matrix(writer, random, dtype, HfNames.k(i), s.kvDim(), s.dim());
            matrix(writer, random, dtype, HfNames.v(i), s.kvDim(), s.dim());
            matrix(writer, random, dtype, HfNames.o(i), s.dim(), s.dim());
            writer.add(HfNames.ffnNorm(i), dtype, Shape.of(s.dim()), random.ones(dtype, s.dim()));
            matrix(writer, random, dtype, HfNames.gate(i), s.hidden(), s.dim());
            matrix(writer, random, dtype, HfNames.up(i), s.hidden(), s.dim());
            matrix(writer, random, dtype, HfNames.down(i), s.dim(), s.hidden());
        }
        writer.add(HfNames.FINAL_NORM, dtype, Shape.of(s.dim()), random.ones(dtype, s.dim()));
        if (!s.tied()) {
            matrix(writer, random, dtype, HfNames.LM_HEAD, s.vocab(), s.dim());
        }
        writer.writeTo(folder.resolve("model.safetensors"));
        Files.writeString(folder.resolve("config.json"), config(s, dtype));
    }

    private static void matrix(SafetensorsWriter writer, RandomWeights random, DType dtype, String name, int rows, int cols) {
        writer.add(name, dtype, Shape.of(rows, cols), random.random(dtype, (long) rows * cols));
    }

    private static String config(ModelShape s, DType dtype) {
        return String.format(Locale.ROOT, """
                {
                  "architectures": ["LlamaForCausalLM"],
                  "model_type": "llama",
                  "hidden_size": %d,
                  "intermediate_size": %d,
                  "num_hidden_layers": %d,
                  "num_attention_heads": %d,
                  "num_key_value_heads": %d,
                  "vocab_size": %d,
                  "max_position_embeddings": %d,
                  "rms_norm_eps": 1e-05,
                  "rope_theta": 10000.0,
                  "tie_word_embeddings": %b,
                  "hidden_act": "silu",
                  "bos_token_id": 1,
                  "eos_token_id": 2,
                  "torch_dtype": "%s"
                }
                """, s.dim(), s.hidden(), s.layers(), s.heads(), s.kvHeads(), s.vocab(), s.seqLen(), s.tied(),
                dtype == DType.BF16 ? "bfloat16" : "float32");
    }
}
