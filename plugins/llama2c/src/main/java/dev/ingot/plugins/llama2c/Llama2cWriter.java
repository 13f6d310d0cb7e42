package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CanonicalWeights;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.format.RopeScaling;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes canonical weights as a llama2.c {@code .bin} (f32), the inverse of {@link Llama2cFormat#mapper}:
 * the header, then each array of {@link Llama2cLayout} in run.c's order with q/k rows turned back from
 * rotate-half to llama2.c's interleaved RoPE order (within each head, row {@code r} of the first half goes
 * to {@code 2r}, row {@code r} of the second half to {@code 2r + 1}), then the two RoPE tables the original
 * export writes, then the classifier when it is not the embedding.
 *
 * <p>run.c fixes RoPE theta, the norm epsilon and the special tokens, so a spec that differs there cannot
 * be written: the file would silently describe another model. The file is written beside its final name
 * and moved into place, so a failed write never leaves a file that looks like a checkpoint.
 */
final class Llama2cWriter implements CheckpointWriter {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final double ROPE_THETA = 10000.0;
    private static final double NORM_EPS = 1e-5;

    @Override
    public void write(Path location, ModelSpec spec, Map<String, Tensor> canonical) throws IOException {
        Optional<String> unwritable = unwritable(spec);
        if (unwritable.isPresent()) {
            throw new CheckpointException(location + ": cannot write a llama2.c checkpoint: " + unwritable.get());
        }
        checkTensors(location, spec, canonical);
        if (Files.isDirectory(location)) {
            throw new CheckpointException(location + ": a llama2.c checkpoint is a single file, and this is a folder");
        }
        Llama2cHeader header = new Llama2cHeader(spec.hiddenSize(), spec.ffnSize(), spec.layers(), spec.heads(), spec.kvHeads(),
                spec.tiedEmbeddings() ? spec.vocabSize() : -spec.vocabSize(), spec.maxPositions());
        Path absolute = location.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeHeader(out, header);
            for (Llama2cLayout.Block block : Llama2cLayout.of(header).blocks()) {
                writeBlock(out, block, spec, canonical);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Why run.c could not run this spec as given, if it could not. */
    private static Optional<String> unwritable(ModelSpec spec) {
        if (spec.headDim() * spec.heads() != spec.hiddenSize()) {
            return Optional.of("head dim " + spec.headDim() + " must be dim " + spec.hiddenSize() + " / heads " + spec.heads());
        }
        if (spec.ropeTheta() != ROPE_THETA || !(spec.ropeScaling() instanceof RopeScaling.None)) {
            return Optional.of("run.c uses RoPE theta 10000 without scaling, the model has theta " + spec.ropeTheta()
                    + " and " + spec.ropeScaling());
        }
        if (spec.normEps() != NORM_EPS) {
            return Optional.of("run.c uses norm epsilon 1e-5, the model has " + spec.normEps());
        }
        if (spec.bosTokenId() != Llama2cTokenizer.BOS || !spec.eosTokenIds().equals(List.of(Llama2cTokenizer.EOS))) {
            return Optional.of("run.c's BOS and EOS are " + Llama2cTokenizer.BOS + " and " + Llama2cTokenizer.EOS
                    + ", the model has " + spec.bosTokenId() + " and " + spec.eosTokenIds());
        }
        if (spec.slidingWindow() != 0) {
            return Optional.of("run.c attends to the whole context, the model has a sliding window of " + spec.slidingWindow());
        }
        return Optional.empty();
    }

    private static void checkTensors(Path location, ModelSpec spec, Map<String, Tensor> canonical) throws CheckpointException {
        Map<String, Shape> expected = CanonicalWeights.expected(spec);
        for (String name : canonical.keySet()) {
            if (!expected.containsKey(name)) {
                throw new CheckpointException(location + ": cannot write tensor '" + name + "': not a weight of this model");
            }
        }
        for (Map.Entry<String, Shape> entry : expected.entrySet()) {
            Tensor tensor = canonical.get(entry.getKey());
            if (tensor == null) {
                throw new CheckpointException(location + ": cannot write the checkpoint: tensor '" + entry.getKey() + "' is missing");
            }
            if (!tensor.info().shape().equals(entry.getValue())) {
                throw new CheckpointException(location + ": cannot write tensor '" + entry.getKey() + "': shape "
                        + tensor.info().shape() + " but the model needs " + entry.getValue());
            }
            switch (tensor.info().dtype()) {
                case F32, F16, BF16 -> { }
                default -> throw new CheckpointException(location + ": cannot write tensor '" + entry.getKey()
                        + "': llama2.c stores f32, and " + tensor.info().dtype() + " is not a float type that widens to it");
            }
        }
    }

    private static void writeHeader(FileChannel out, Llama2cHeader h) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(Llama2cHeader.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(h.dim()).putInt(h.hiddenDim()).putInt(h.layers()).putInt(h.heads()).putInt(h.kvHeads())
                .putInt(h.signedVocabSize()).putInt(h.seqLen()).flip();
        writeFully(out, bytes);
    }

    /** One array of the file: a single tensor, or every layer's slice of a stacked one in layer order. */
    private static void writeBlock(FileChannel out, Llama2cLayout.Block block, ModelSpec spec, Map<String, Tensor> canonical)
            throws IOException {
        switch (block.name()) {
            case Llama2cLayout.EMBEDDINGS -> writeFloats(out, floats(canonical.get(CanonicalWeights.EMBED)));
            case Llama2cLayout.FINAL_NORM -> writeFloats(out, floats(canonical.get(CanonicalWeights.FINAL_NORM)));
            case Llama2cLayout.CLASSIFIER -> writeFloats(out, floats(canonical.get(CanonicalWeights.LM_HEAD)));
            case Llama2cLayout.FREQ_REAL -> writeFloats(out, ropeTable(spec, true));
            case Llama2cLayout.FREQ_IMAG -> writeFloats(out, ropeTable(spec, false));
            default -> {
                for (int i = 0; i < block.layers(); i++) {
                    writeFloats(out, layerPart(block.name(), i, spec, canonical));
                }
            }
        }
    }

    private static float[] layerPart(String part, int layer, ModelSpec spec, Map<String, Tensor> canonical) {
        return switch (part) {
            case "attention_norm" -> floats(canonical.get(CanonicalWeights.attnNorm(layer)));
            case "wq" -> halvesToInterleaved(floats(canonical.get(CanonicalWeights.q(layer))), spec.heads(), spec.hiddenSize());
            case "wk" -> halvesToInterleaved(floats(canonical.get(CanonicalWeights.k(layer))), spec.kvHeads(), spec.hiddenSize());
            case "wv" -> floats(canonical.get(CanonicalWeights.v(layer)));
            case "wo" -> floats(canonical.get(CanonicalWeights.o(layer)));
            case "ffn_norm" -> floats(canonical.get(CanonicalWeights.ffnNorm(layer)));
            case "w1" -> floats(canonical.get(CanonicalWeights.gate(layer)));
            case "w2" -> floats(canonical.get(CanonicalWeights.down(layer)));
            case "w3" -> floats(canonical.get(CanonicalWeights.up(layer)));
            default -> throw new IllegalStateException("the llama2.c layout has an array the writer does not know: " + part);
        };
    }

    /** Rotate-half rows back to interleaved pairs, head by head: what RopeInterleavedToHalves undoes. */
    private static float[] halvesToInterleaved(float[] matrix, int heads, int columns) {
        int headDim = matrix.length / columns / heads;
        int half = headDim / 2;
        float[] out = new float[matrix.length];
        for (int row = 0; row < matrix.length / columns; row++) {
            int head = row / headDim;
            int within = row % headDim;
            int target = head * headDim + (within < half ? 2 * within : 2 * (within - half) + 1);
            System.arraycopy(matrix, row * columns, out, target * columns, columns);
        }
        return out;
    }

    /**
     * The table llama2.c's export writes after the weights (run.c computes its own and skips it):
     * {@code cos} or {@code sin} of {@code position * theta^(-2i/headDim)}, {@code [seq_len, headDim/2]}.
     */
    private static float[] ropeTable(ModelSpec spec, boolean cosine) {
        int half = spec.headDim() / 2;
        float[] out = new float[spec.maxPositions() * half];
        for (int position = 0; position < spec.maxPositions(); position++) {
            for (int i = 0; i < half; i++) {
                float frequency = (float) (1.0 / Math.pow(ROPE_THETA, (2.0 * i) / spec.headDim()));
                float angle = position * frequency;
                out[position * half + i] = (float) (cosine ? Math.cos(angle) : Math.sin(angle));
            }
        }
        return out;
    }

    /** f32 as is; f16 and bf16 widen exactly. */
    private static float[] floats(Tensor tensor) {
        MemorySegment data = tensor.data();
        float[] out = new float[Math.toIntExact(tensor.info().shape().elementCount())];
        switch (tensor.info().dtype()) {
            case F32 -> MemorySegment.copy(data, F32, 0, out, 0, out.length);
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(data.getAtIndex(HALF, i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat(data.getAtIndex(HALF, i) << 16);
                }
            }
            default -> throw new IllegalStateException("checked before writing: " + tensor.info());
        }
        return out;
    }

    private static void writeFloats(FileChannel out, float[] values) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        writeFully(out, bytes);
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }
}
