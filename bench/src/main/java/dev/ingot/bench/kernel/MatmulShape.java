package dev.ingot.bench.kernel;

/** A benchmark matrix shape written {@code ROWSxCOLS} (out x in). */
public record MatmulShape(int rows, int cols) {

    public static MatmulShape parse(String text) {
        String[] parts = text.strip().split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("shape must be ROWSxCOLS like 4096x4096, got '" + text + "'");
        }
        try {
            return new MatmulShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shape must be ROWSxCOLS like 4096x4096, got '" + text + "'");
        }
    }

    /** Multiply-adds count two floating-point operations. */
    public double flops(int batch) {
        return 2.0 * rows * cols * batch;
    }

    public long weightBytes(int bytesPerElement) {
        return (long) rows * cols * bytesPerElement;
    }

    /** Bytes of the matrix stored as {@code type} (GGML block types included). */
    public long weightBytes(dev.ingot.spi.tensor.DType type) {
        return rows * type.bytesFor(cols);
    }
}
