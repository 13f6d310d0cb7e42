package dev.ingot.plugins.llama2c;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
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

    /** A native tensor and the byte offset of its first element from the start of the file. */
    record Placed(TensorInfo info, long offset) {}

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
        long kvDim = h.kvDim();
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

    /** Every native tensor in file order; per-layer slices are named {@code layers.{i}.{part}}. */
    List<Placed> tensors() {
        List<Placed> tensors = new ArrayList<>();
        for (Block block : blocks) {
            if (block.layers() == 0) {
                tensors.add(new Placed(new TensorInfo(block.name(), DType.F32, block.shape()), block.offset()));
                continue;
            }
            for (int i = 0; i < block.layers(); i++) {
                TensorInfo info = new TensorInfo("layers." + i + "." + block.name(), DType.F32, block.shape());
                tensors.add(new Placed(info, block.offset() + i * block.sliceBytes()));
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
