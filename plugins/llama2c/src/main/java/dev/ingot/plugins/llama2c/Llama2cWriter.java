package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.RopeScaling;
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
 * <p>run.c runs one architecture with fixed constants, so a spec it would run differently is refused: the
 * file would silently describe another model. The file is written beside its final name and moved into
 * place, so a failed write never leaves a file that looks like a checkpoint.
 */
final class Llama2cWriter implements CheckpointWriter {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void write(Path location, ModelSpec spec, ModelConfig config, Map<String, Tensor> canonical) throws IOException {
        Optional<String> unwritable = unwritable(spec);
        if (unwritable.isPresent()) {
            throw new CheckpointException(location + ": cannot write a llama2.c checkpoint: " + unwritable.get());
        }
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
            writeFully(out, ByteBuffer.allocate(Llama2cHeader.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(header.dim())
                    .putInt(header.hiddenDim()).putInt(header.layers()).putInt(header.heads()).putInt(header.kvHeads())
                    .putInt(header.signedVocabSize()).putInt(header.seqLen()).flip());
            for (Llama2cLayout.Block block : Llama2cLayout.of(header).blocks()) {
                for (int layer = 0; layer < Math.max(1, block.layers()); layer++) {
                    writeFloats(out, values(location, block, layer, spec, canonical));
                }
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Why run.c could not run this spec as given, if it could not. */
    private static Optional<String> unwritable(ModelSpec spec) {
        if (!List.of("llama", "mistral").contains(spec.architecture())) {
            return Optional.of("run.c runs the plain Llama architecture, the model is '" + spec.architecture() + "'");
        }
        if (spec.headDim() * spec.heads() != spec.hiddenSize()) {
            return Optional.of("head dim " + spec.headDim() + " must be dim " + spec.hiddenSize() + " / heads " + spec.heads());
        }
        if (spec.ropeTheta() != Llama2cHeader.ROPE_THETA || !(spec.ropeScaling() instanceof RopeScaling.None)) {
            return Optional.of("run.c uses RoPE theta 10000 without scaling, the model has theta " + spec.ropeTheta()
                    + " and " + spec.ropeScaling());
        }
        if (spec.normEps() != Llama2cHeader.NORM_EPS) {
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

    /** The floats of one array of the file: one tensor, or one layer's slice of a stacked one. */
    private static float[] values(Path location, Llama2cLayout.Block block, int layer, ModelSpec spec,
            Map<String, Tensor> canonical) throws CheckpointException {
        return switch (block.name()) {
            case Llama2cLayout.FREQ_REAL -> ropeTable(spec, true);
            case Llama2cLayout.FREQ_IMAG -> ropeTable(spec, false);
            case "wq" -> halvesToInterleaved(floats(location, canonical, HfNames.q(layer), block.shape()), spec.heads(), spec.hiddenSize());
            case "wk" -> halvesToInterleaved(floats(location, canonical, HfNames.k(layer), block.shape()), spec.kvHeads(), spec.hiddenSize());
            default -> floats(location, canonical, canonicalName(block.name(), layer), block.shape());
        };
    }

    private static String canonicalName(String part, int layer) {
        return switch (part) {
            case Llama2cLayout.EMBEDDINGS -> HfNames.EMBED;
            case Llama2cLayout.FINAL_NORM -> HfNames.FINAL_NORM;
            case Llama2cLayout.CLASSIFIER -> HfNames.LM_HEAD;
            case "attention_norm" -> HfNames.attnNorm(layer);
            case "wv" -> HfNames.v(layer);
            case "wo" -> HfNames.o(layer);
            case "ffn_norm" -> HfNames.ffnNorm(layer);
            case "w1" -> HfNames.gate(layer);
            case "w2" -> HfNames.down(layer);
            case "w3" -> HfNames.up(layer);
            default -> throw new IllegalStateException("the llama2.c layout has an array the writer does not know: " + part);
        };
    }

    /** Rotate-half rows back to interleaved pairs, head by head: what RopeInterleavedToHalves undoes. */
    private static float[] halvesToInterleaved(float[] matrix, int heads, int columns) {
        int headDim = matrix.length / columns / heads;
        int half = headDim / 2;
        float[] out = new float[matrix.length];
        for (int row = 0; row < matrix.length / columns; row++) {
            int within = row % headDim;
            int target = row - within + (within < half ? 2 * within : 2 * (within - half) + 1);
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
                float frequency = (float) (1.0 / Math.pow(Llama2cHeader.ROPE_THETA, (2.0 * i) / spec.headDim()));
                float angle = position * frequency;
                out[position * half + i] = (float) (cosine ? Math.cos(angle) : Math.sin(angle));
            }
        }
        return out;
    }

    /** The named canonical tensor as floats: f32 as is, f16 and bf16 widened exactly; anything else is refused. */
    private static float[] floats(Path location, Map<String, Tensor> canonical, String name, Shape shape)
            throws CheckpointException {
        Tensor tensor = canonical.get(name);
        if (tensor == null) {
            throw new CheckpointException(location + ": cannot write the checkpoint: tensor '" + name + "' is missing");
        }
        if (!tensor.info().shape().equals(shape)) {
            throw new CheckpointException(location + ": cannot write tensor '" + name + "': shape "
                    + tensor.info().shape() + " but the model needs " + shape);
        }
        MemorySegment data = tensor.data();
        float[] out = new float[Math.toIntExact(shape.elementCount())];
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
            default -> throw new CheckpointException(location + ": cannot write tensor '" + name
                    + "': llama2.c stores f32, and " + tensor.info().dtype() + " is not a float type that widens to it");
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
