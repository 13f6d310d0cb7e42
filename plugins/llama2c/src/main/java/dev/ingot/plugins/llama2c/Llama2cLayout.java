package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.MappedTensor;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each tensor sits in a llama2.c checkpoint, in the order of run.c's {@code memory_map_weights}.
 * llama2.c stores every per-layer weight as one array stacked over layers; each layer's part becomes
 * its own native tensor ({@code layers.3.wq}), a narrower slice of the same bytes. Matrices are
 * {@code [out, in]} row-major: run.c's {@code matmul(xout, x, w, n, d)} computes {@code W(d, n) @ x}.
 *
 * <p>The layout is kept as blocks (one per stacked array) so the file size a header implies can be
 * checked before a per-layer list is built: a header that lies about the layer count must not make
 * us allocate billions of entries.
 */
record Llama2cLayout(List<Block> blocks, long fileSize) {

    /** One array in the file: a single tensor ({@code layers == 0}) or {@code layers} stacked slices of {@code shape}. */
    record Block(String name, int layers, Shape shape, long offset) {

        long sliceBytes() {
            return Math.multiplyExact(shape.elementCount(), (long) Float.BYTES);
        }

        long bytes() {
            return layers == 0 ? sliceBytes() : Math.multiplyExact(sliceBytes(), (long) layers);
        }
    }

    static final String EMBEDDINGS = "tok_embeddings";
    static final String FINAL_NORM = "norm";
    static final String CLASSIFIER = "output";
    static final String FREQ_REAL = "freq_cis_real";
    static final String FREQ_IMAG = "freq_cis_imag";

    Llama2cLayout {
        blocks = List.copyOf(blocks);
    }

    /** The layout {@code h} implies; {@link ArithmeticException} when its sizes overflow a long. */
    static Llama2cLayout of(Llama2cHeader h) {
        Builder b = new Builder(h.layers());
        long dim = h.dim();
        long hidden = h.hiddenDim();
        long qDim = (long) h.heads() * h.headSize();
        long kvDim = (long) h.kvHeads() * h.headSize();
        b.single(EMBEDDINGS, h.vocabSize(), dim);
        b.stacked("attention_norm", dim);
        b.stacked("wq", qDim, dim);
        b.stacked("wk", kvDim, dim);
        b.stacked("wv", kvDim, dim);
        b.stacked("wo", dim, qDim);
        b.stacked("ffn_norm", dim);
        b.stacked("w1", hidden, dim);
        b.stacked("w2", dim, hidden);
        b.stacked("w3", hidden, dim);
        b.single(FINAL_NORM, dim);
        // Precomputed RoPE tables that the original export still writes; run.c skips them and so does the mapper.
        b.single(FREQ_REAL, h.seqLen(), h.headSize() / 2);
        b.single(FREQ_IMAG, h.seqLen(), h.headSize() / 2);
        if (!h.sharedClassifier()) {
            b.single(CLASSIFIER, h.vocabSize(), dim);
        }
        return new Llama2cLayout(b.blocks, b.offset);
    }

    /**
     * The layout {@code header} implies, when {@code file} is exactly that long. There is no magic
     * number, so the exact size is what tells a llama2.c file from anything else.
     */
    static Llama2cLayout ofFile(Path file, Llama2cHeader header) throws IOException {
        Llama2cLayout layout;
        try {
            layout = of(header);
        } catch (ArithmeticException e) {
            throw new CheckpointException(file + ": not a llama2.c checkpoint: header " + header + " implies more than 2^63 bytes");
        }
        long actual = Files.size(file);
        if (actual != layout.fileSize()) {
            String how = actual < layout.fileSize() ? "truncated or not llama2.c" : "longer than the weights; not llama2.c or a different export";
            throw new CheckpointException(file + ": llama2.c header " + header + " implies " + layout.fileSize()
                    + " bytes but the file has " + actual + " (" + how + ")");
        }
        return layout;
    }

    /** Every native tensor in file order, where it starts; per-layer slices are named {@code layers.{i}.{part}}. */
    List<MappedTensor> tensors() {
        List<MappedTensor> tensors = new ArrayList<>();
        for (Block block : blocks) {
            if (block.layers() == 0) {
                tensors.add(new MappedTensor(new TensorInfo(block.name(), DType.F32, block.shape()), block.offset()));
            }
            for (int i = 0; i < block.layers(); i++) {
                TensorInfo info = new TensorInfo("layers." + i + "." + block.name(), DType.F32, block.shape());
                tensors.add(new MappedTensor(info, block.offset() + i * block.sliceBytes()));
            }
        }
        return tensors;
    }

    private static final class Builder {
        private final int layers;
        private final List<Block> blocks = new ArrayList<>();
        private long offset = Llama2cHeader.BYTES;

        Builder(int layers) {
            this.layers = layers;
        }

        void single(String name, long... dims) {
            add(new Block(name, 0, Shape.of(dims), offset));
        }

        void stacked(String part, long... dims) {
            add(new Block(part, layers, Shape.of(dims), offset));
        }

        private void add(Block block) {
            blocks.add(block);
            offset = Math.addExact(offset, block.bytes());
        }
    }
}
