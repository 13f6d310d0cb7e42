package dev.ingot.spi.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A tensor's description and its bytes: little-endian, row-major, densely packed. The segment is
 * usually a view into a mapped file; it is valid until the source that produced it is closed.
 */
public record Tensor(TensorInfo info, MemorySegment data) {

    public Tensor {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(data, "data");
        if (data.byteSize() != info.byteSize()) {
            throw new IllegalArgumentException("tensor " + info.name() + ": " + data.byteSize()
                    + " bytes of data but " + info.dtype() + info.shape() + " needs " + info.byteSize());
        }
    }

    public String name() {
        return info.name();
    }
}
