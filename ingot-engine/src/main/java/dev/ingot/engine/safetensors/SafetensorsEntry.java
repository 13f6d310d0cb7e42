package dev.ingot.engine.safetensors;

import dev.ingot.spi.tensor.TensorInfo;

/**
 * One tensor of a safetensors header: what it is and where its bytes sit, as {@code [begin, end)}
 * relative to the first byte after the header.
 */
public record SafetensorsEntry(TensorInfo info, long begin, long end) {

    public String name() {
        return info.name();
    }

    public long byteSize() {
        return end - begin;
    }
}
