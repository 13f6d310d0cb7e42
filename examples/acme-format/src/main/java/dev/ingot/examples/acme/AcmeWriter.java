package dev.ingot.examples.acme;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.tensor.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

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
 * The manifest is written last, so an interrupted write leaves a folder no format recognises.
 */
public final class AcmeWriter {

    private AcmeWriter() {}

    /** Writes {@code canonical} as f32. */
    public static void write(Path folder, ModelSpec spec, Map<String, float[]> canonical) throws IOException {
        write(folder, spec, canonical, AcmeDType.F32);
    }

    /**
     * Writes an acme folder for {@code spec}. {@code canonical} must hold exactly the tensors of
     * {@link CanonicalWeights#expected(ModelSpec)}, each with its element count.
     */
    public static void write(Path folder, ModelSpec spec, Map<String, float[]> canonical, AcmeDType dtype) throws IOException {
        checkInput(spec, canonical);
        Files.createDirectories(folder.resolve(AcmeNames.TENSOR_FOLDER));
        ObjectNode manifest = AcmeManifest.JSON.createObjectNode();
        manifest.put("acme_version", AcmeManifest.VERSION);
        ObjectNode model = manifest.putObject("model");
        model.put("width", spec.hiddenSize()).put("depth", spec.layers()).put("heads", spec.heads())
                .put("kv_heads", spec.kvHeads()).put("mlp", spec.ffnSize()).put("vocab", spec.vocabSize())
                .put("rope_base", spec.ropeTheta()).put("eps", spec.normEps()).put("context", spec.maxPositions())
                .put("tied", spec.tiedEmbeddings()).put("bos", spec.bosTokenId())
                .put("eos", spec.eosTokenIds().isEmpty() ? -1 : spec.eosTokenIds().getFirst());
        ObjectNode tensors = manifest.putObject("tensors");
        TensorWriter out = new TensorWriter(folder, dtype, tensors);

        int d = spec.hiddenSize();
        out.write(AcmeNames.EMBED, canonical.get(CanonicalWeights.EMBED), spec.vocabSize(), d);
        for (int i = 0; i < spec.layers(); i++) {
            out.write(AcmeNames.norm1(i), canonical.get(CanonicalWeights.attnNorm(i)), d);
            float[] q = halvesToInterleaved(canonical.get(CanonicalWeights.q(i)), spec.heads(), d);
            float[] k = halvesToInterleaved(canonical.get(CanonicalWeights.k(i)), spec.kvHeads(), d);
            out.write(AcmeNames.qkv(i), concat(q, k, canonical.get(CanonicalWeights.v(i))), spec.queryDim() + 2L * spec.kvDim(), d);
            out.write(AcmeNames.attnOut(i), transpose(canonical.get(CanonicalWeights.o(i)), d, spec.queryDim()), spec.queryDim(), d);
            out.write(AcmeNames.norm2(i), canonical.get(CanonicalWeights.ffnNorm(i)), d);
            out.write(AcmeNames.gateUp(i), concat(canonical.get(CanonicalWeights.gate(i)), canonical.get(CanonicalWeights.up(i))),
                    2L * spec.ffnSize(), d);
            out.write(AcmeNames.down(i), transpose(canonical.get(CanonicalWeights.down(i)), d, spec.ffnSize()), spec.ffnSize(), d);
        }
        out.write(AcmeNames.FINAL_NORM, canonical.get(CanonicalWeights.FINAL_NORM), d);
        if (!spec.tiedEmbeddings()) {
            out.write(AcmeNames.HEAD, canonical.get(CanonicalWeights.LM_HEAD), spec.vocabSize(), d);
        }
        Path temporary = folder.resolve(AcmeNames.MANIFEST + ".tmp");
        AcmeManifest.JSON.writerWithDefaultPrettyPrinter().writeValue(temporary.toFile(), manifest);
        Files.move(temporary, folder.resolve(AcmeNames.MANIFEST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void checkInput(ModelSpec spec, Map<String, float[]> canonical) {
        if (spec.headDim() * spec.heads() != spec.hiddenSize()) {
            throw new IllegalArgumentException("acme has no head_dim field: head dim " + spec.headDim()
                    + " must be width " + spec.hiddenSize() + " / heads " + spec.heads());
        }
        Map<String, Shape> expected = CanonicalWeights.expected(spec);
        for (Map.Entry<String, Shape> entry : expected.entrySet()) {
            float[] values = canonical.get(entry.getKey());
            if (values == null) {
                throw new IllegalArgumentException("missing canonical tensor " + entry.getKey());
            }
            if (values.length != entry.getValue().elementCount()) {
                throw new IllegalArgumentException(entry.getKey() + " has " + values.length + " values but "
                        + entry.getValue() + " needs " + entry.getValue().elementCount());
            }
        }
        for (String name : canonical.keySet()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected canonical tensor " + name + " for this spec");
            }
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
        int length = 0;
        for (float[] part : parts) {
            length += part.length;
        }
        float[] out = new float[length];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** Writes one tensor file and its manifest entry. */
    private record TensorWriter(Path folder, AcmeDType dtype, ObjectNode tensors) {

        void write(String name, float[] values, long... shape) throws IOException {
            String relative = AcmeNames.fileFor(name);
            ByteBuffer bytes = ByteBuffer.allocate(values.length * dtype.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (float value : values) {
                switch (dtype) {
                    case F32 -> bytes.putFloat(value);
                    case BF16 -> bytes.putShort(toBf16(value));
                }
            }
            try (OutputStream out = Files.newOutputStream(folder.resolve(relative))) {
                out.write(bytes.array());
            }
            ObjectNode entry = tensors.putObject(name);
            entry.put("file", relative).put("dtype", dtype.manifestName());
            var dims = entry.putArray("shape");
            for (long dim : shape) {
                dims.add(dim);
            }
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
