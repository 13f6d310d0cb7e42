package dev.ingot.examples.acme;

import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.tensor.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Writes an acme checkpoint from canonical weights (Hugging Face Llama names and layout, row-major
 * float arrays), for demos and tests. It applies the inverse of every step {@link AcmeFormat#mapper}
 * declares, so opening the result and applying the mapper gives the input back exactly (for
 * {@link AcmeDType#F32}; {@link AcmeDType#BF16} rounds each value to the nearest bfloat16):
 *
 * <ul>
 *   <li>q/k: rotate-half row order back to interleaved (within each head, row {@code r} of the first
 *       half goes to {@code 2r}, row {@code r} of the second half to {@code 2r + 1}), then q, k, v
 *       stacked by rows into {@code blk.N.attn.qkv} (undone by SliceRows + RopeInterleavedToHalves);</li>
 *   <li>gate and up stacked by rows into {@code blk.N.mlp.gate_up} (undone by SliceRows);</li>
 *   <li>o_proj and down_proj transposed to {@code [in, out]} (undone by Transpose).</li>
 * </ul>
 *
 * The manifest is written last, so an interrupted write leaves a folder no format recognises. It is
 * written by hand: a writer has no engine at hand, and a flat file of numbers and names needs no library.
 */
public final class AcmeWriter {

    private AcmeWriter() {}

    /** Writes {@code canonical} as f32. */
    public static void write(Path folder, ModelSpec spec, Map<String, float[]> canonical) throws IOException {
        write(folder, spec, canonical, AcmeDType.F32);
    }

    /**
     * Writes an acme folder for {@code spec}. {@code canonical} must hold exactly the weights of a Llama
     * of that spec, each with its element count; anything else is an {@link IllegalArgumentException}.
     */
    public static void write(Path folder, ModelSpec spec, Map<String, float[]> canonical, AcmeDType dtype) throws IOException {
        write(folder, spec, canonical, Map.of(), dtype);
    }

    /** As above; {@code shapes}, where it names a tensor, must be exactly the shape acme expects for it. */
    static void write(Path folder, ModelSpec spec, Map<String, float[]> canonical, Map<String, Shape> shapes, AcmeDType dtype)
            throws IOException {
        requireWritable(spec);
        Weights in = new Weights(canonical, shapes, new HashSet<>());
        Files.createDirectories(folder.resolve(AcmeNames.TENSOR_FOLDER));
        TensorWriter out = new TensorWriter(folder, dtype, new StringJoiner(",\n    ", "{\n    ", "\n  }"));
        int d = spec.hiddenSize();
        int q = spec.queryDim();
        int kv = spec.kvDim();
        int mlp = spec.ffnSize();
        out.write(AcmeNames.EMBED, in.take(HfNames.EMBED, spec.vocabSize(), d), spec.vocabSize(), d);
        for (int i = 0; i < spec.layers(); i++) {
            out.write(AcmeNames.norm1(i), in.take(HfNames.attnNorm(i), d), d);
            float[] wq = halvesToInterleaved(in.take(HfNames.q(i), q, d), spec.heads(), d);
            float[] wk = halvesToInterleaved(in.take(HfNames.k(i), kv, d), spec.kvHeads(), d);
            out.write(AcmeNames.qkv(i), concat(wq, wk, in.take(HfNames.v(i), kv, d)), q + 2L * kv, d);
            out.write(AcmeNames.attnOut(i), transpose(in.take(HfNames.o(i), d, q), d, q), q, d);
            out.write(AcmeNames.norm2(i), in.take(HfNames.ffnNorm(i), d), d);
            out.write(AcmeNames.gateUp(i), concat(in.take(HfNames.gate(i), mlp, d), in.take(HfNames.up(i), mlp, d)), 2L * mlp, d);
            out.write(AcmeNames.down(i), transpose(in.take(HfNames.down(i), d, mlp), d, mlp), mlp, d);
        }
        out.write(AcmeNames.FINAL_NORM, in.take(HfNames.FINAL_NORM, d), d);
        if (!spec.tiedEmbeddings()) {
            out.write(AcmeNames.HEAD, in.take(HfNames.LM_HEAD, spec.vocabSize(), d), spec.vocabSize(), d);
        }
        in.requireAllTaken();
        String model = "{\"width\": " + d + ", \"depth\": " + spec.layers() + ", \"heads\": " + spec.heads()
                + ", \"kv_heads\": " + spec.kvHeads() + ", \"mlp\": " + mlp + ", \"vocab\": " + spec.vocabSize()
                + ", \"rope_base\": " + spec.ropeTheta() + ", \"eps\": " + spec.normEps() + ", \"context\": " + spec.maxPositions()
                + ", \"tied\": " + spec.tiedEmbeddings() + ", \"bos\": " + spec.bosTokenId()
                + ", \"eos\": " + (spec.eosTokenIds().isEmpty() ? -1 : spec.eosTokenIds().getFirst()) + "}";
        String manifest = "{\n  \"acme_version\": " + AcmeManifest.VERSION + ",\n  \"model\": " + model
                + ",\n  \"tensors\": " + out.entries() + "\n}\n";
        Path temporary = folder.resolve(AcmeNames.MANIFEST + ".tmp");
        Files.writeString(temporary, manifest);
        Files.move(temporary, folder.resolve(AcmeNames.MANIFEST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** acme has fields for a plain Llama only; anything its manifest cannot say would come back as another model. */
    private static void requireWritable(ModelSpec spec) {
        if (!List.of("llama", "mistral").contains(spec.architecture())) {
            throw new IllegalArgumentException("acme holds Llama-shaped models, not architecture '" + spec.architecture() + "'");
        }
        if (spec.headDim() * spec.heads() != spec.hiddenSize()) {
            throw new IllegalArgumentException("acme has no head_dim field: head dim " + spec.headDim()
                    + " must be width " + spec.hiddenSize() + " / heads " + spec.heads());
        }
        if (!(spec.ropeScaling() instanceof RopeScaling.None) || spec.slidingWindow() != 0 || spec.eosTokenIds().size() > 1) {
            throw new IllegalArgumentException("acme has no fields for RoPE scaling, a sliding window or several EOS tokens");
        }
    }

    /** The canonical weights, each taken once with its size checked, so a missing or stray one is an error. */
    private record Weights(Map<String, float[]> canonical, Map<String, Shape> shapes, Set<String> taken) {

        float[] take(String name, long... dims) {
            float[] values = canonical.get(name);
            Shape needed = Shape.of(dims);
            if (values == null) {
                throw new IllegalArgumentException("missing canonical tensor " + name);
            }
            Shape given = shapes.getOrDefault(name, Shape.of(values.length));
            if (values.length != needed.elementCount() || shapes.containsKey(name) && !given.equals(needed)) {
                throw new IllegalArgumentException(name + " has shape " + given + " but the model needs " + needed);
            }
            taken.add(name);
            return values;
        }

        void requireAllTaken() {
            canonical.keySet().stream().filter(name -> !taken.contains(name)).findFirst().ifPresent(name -> {
                throw new IllegalArgumentException("unexpected canonical tensor " + name + " for this spec");
            });
        }
    }

    /** The inverse of RopeInterleavedToHalves: rotate-half rows back to interleaved pairs, head by head. */
    static float[] halvesToInterleaved(float[] matrix, int heads, int columns) {
        int rows = matrix.length / columns;
        int headDim = rows / heads;
        int half = headDim / 2;
        float[] out = new float[matrix.length];
        for (int h = 0; h < heads; h++) {
            int base = h * headDim;
            for (int r = 0; r < half; r++) {
                System.arraycopy(matrix, (base + r) * columns, out, (base + 2 * r) * columns, columns);
                System.arraycopy(matrix, (base + half + r) * columns, out, (base + 2 * r + 1) * columns, columns);
            }
        }
        return out;
    }

    /** {@code [rows, columns] -> [columns, rows]}. */
    static float[] transpose(float[] matrix, int rows, int columns) {
        float[] out = new float[matrix.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                out[c * rows + r] = matrix[r * columns + c];
            }
        }
        return out;
    }

    private static float[] concat(float[]... parts) {
        float[] out = new float[java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** Writes one tensor file and collects its manifest entry. */
    private record TensorWriter(Path folder, AcmeDType dtype, StringJoiner entries) {

        void write(String name, float[] values, long... shape) throws IOException {
            String relative = AcmeNames.fileFor(name);
            ByteBuffer bytes = ByteBuffer.allocate(values.length * dtype.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (float value : values) {
                switch (dtype) {
                    case F32 -> bytes.putFloat(value);
                    case BF16 -> bytes.putShort(toBf16(value));
                }
            }
            Files.write(folder.resolve(relative), bytes.array());
            StringJoiner dims = new StringJoiner(", ", "[", "]");
            for (long dim : shape) {
                dims.add(Long.toString(dim));
            }
            // acme's names and file names are dots, digits and letters: nothing JSON would need escaped
            entries.add("\"" + name + "\": {\"file\": \"" + relative + "\", \"dtype\": \"" + dtype.manifestName()
                    + "\", \"shape\": " + dims + "}");
        }

        /** Round to nearest even, as every bfloat16 converter does; NaN stays a (quiet) NaN. */
        private static short toBf16(float value) {
            int bits = Float.floatToRawIntBits(value);
            if (Float.isNaN(value)) {
                return (short) ((bits >>> 16) | 0x40);
            }
            int rounding = 0x7FFF + ((bits >>> 16) & 1);
            return (short) ((bits + rounding) >>> 16);
        }
    }
}
