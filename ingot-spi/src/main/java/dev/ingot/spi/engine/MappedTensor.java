package dev.ingot.spi.engine;

import dev.ingot.spi.tensor.TensorInfo;
import java.util.Objects;

/**
 * Where one tensor's bytes lie in a file: {@code info.byteSize()} bytes from {@code offset}.
 *
 * @param info   the tensor's native name, type and shape
 * @param offset its first byte, from the start of the file
 */
public record MappedTensor(TensorInfo info, long offset) {

    public MappedTensor {
        Objects.requireNonNull(info, "info");
        if (offset < 0) {
            throw new IllegalArgumentException(info.name() + ": negative offset " + offset);
        }
    }
}
