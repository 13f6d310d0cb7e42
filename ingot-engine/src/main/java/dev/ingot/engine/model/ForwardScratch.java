package dev.ingot.engine.model;

/**
 * The activations of one forward pass, sized for up to {@link #rows} rows. Kept between calls so a
 * decode step does not allocate (and zero) a dozen arrays; a pass only reads what it wrote itself
 * in the same pass, so stale contents from an earlier call never matter.
 */
final class ForwardScratch {

    /**
     * Scratch for more rows than this is not kept: decode batches are small, while keeping a long
     * prompt's prefill scratch (gate and up alone are rows x ffn floats each) would pin megabytes.
     */
    static final int MAX_KEPT_ROWS = 64;

    final int rows;
    final float[] x;
    final float[] xn;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] att;
    final float[] gate;
    final float[] up;
    final float[] delta;
    final float[][] qkv;
    final float[][] gateUp;
    /** Score buffers of the attention tasks of a layer, one per task (see {@link AttentionScratch}). */
    private AttentionScratch[] attention = {new AttentionScratch()};

    /** Sized for the widest layer: {@code qDim}, {@code kvDim} and {@code ffn} are maxima over the layers. */
    ForwardScratch(int dim, int qDim, int kvDim, int ffn, int rows) {
        this.rows = rows;
        x = new float[rows * dim];
        xn = new float[rows * dim];
        q = new float[rows * qDim];
        k = new float[rows * kvDim];
        v = new float[rows * kvDim];
        att = new float[rows * qDim];
        gate = new float[rows * ffn];
        up = new float[rows * ffn];
        delta = new float[rows * dim];
        qkv = new float[][] {q, k, v};
        gateUp = new float[][] {gate, up};
    }

    /** At least {@code tasks} attention scratch buffers, one for each task that may run at once. */
    AttentionScratch[] attention(int tasks) {
        if (attention.length < tasks) {
            AttentionScratch[] grown = java.util.Arrays.copyOf(attention, tasks);
            for (int i = attention.length; i < tasks; i++) {
                grown[i] = new AttentionScratch();
            }
            attention = grown;
        }
        return attention;
    }

    boolean worthKeeping() {
        return rows <= MAX_KEPT_ROWS;
    }
}
