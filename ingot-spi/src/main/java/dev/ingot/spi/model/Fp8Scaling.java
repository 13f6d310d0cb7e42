package dev.ingot.spi.model;

/**
 * How a checkpoint's FP8 matrices are scaled, from {@code quantization_config} (Hugging Face's
 * fine-grained FP8: {@code "quant_method": "fp8", "weight_block_size": [128, 128]}). Each FP8 weight
 * {@code NAME} then comes with {@code NAME_scale_inv} ({@link HfNames#scaleInv}): one F32 factor per
 * {@code blockRows x blockCols} block, which multiplies the stored values. {@link #NONE} when the
 * checkpoint has no FP8 scaling; a scale tensor of one element, or of one per row, needs no block size.
 */
public record Fp8Scaling(int blockRows, int blockCols) {

    public static final Fp8Scaling NONE = new Fp8Scaling(0, 0);

    /** The spec property {@link StandardConfig#read} fills from {@code quantization_config}. */
    public static final SpecProperty<Fp8Scaling> PROPERTY = SpecProperty.of("quantization.fp8", Fp8Scaling.class, NONE);

    public Fp8Scaling {
        if (blockRows < 0 || blockCols < 0 || (blockRows == 0) != (blockCols == 0)) {
            throw new IllegalArgumentException("FP8 block size must be two positive numbers (or none), got "
                    + blockRows + " x " + blockCols);
        }
    }

    public boolean isBlockwise() {
        return blockRows > 0;
    }
}
