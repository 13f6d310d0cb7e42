package dev.ingot.examples.acme;

import dev.ingot.spi.tensor.DType;
import java.util.Arrays;
import java.util.Optional;

/** The element types acme files may hold, by their manifest names. */
public enum AcmeDType {
    F32("f32", DType.F32),
    BF16("bf16", DType.BF16);

    private final String manifestName;
    private final DType dtype;

    AcmeDType(String manifestName, DType dtype) {
        this.manifestName = manifestName;
        this.dtype = dtype;
    }

    public String manifestName() {
        return manifestName;
    }

    public DType dtype() {
        return dtype;
    }

    static Optional<AcmeDType> fromManifest(String name) {
        return Arrays.stream(values()).filter(t -> t.manifestName.equals(name)).findFirst();
    }
}
