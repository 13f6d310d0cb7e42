package dev.ingot.spi.tensor;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The tensors of a checkpoint, in the checkpoint's own (native) names. Implementations hand out
 * zero-copy views of mapped files where the bytes already sit in one, and read or decode into
 * memory they own otherwise. Views stay valid until {@link #close()}.
 */
public interface TensorSource extends AutoCloseable {

    /** Every tensor, in a stable order (file order where there is one). */
    List<TensorInfo> list();

    default Optional<TensorInfo> info(String name) {
        return list().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The named tensor's bytes; throws a {@link dev.ingot.spi.CheckpointException} naming it when absent. */
    Tensor read(String name) throws IOException;

    @Override
    void close() throws IOException;
}
