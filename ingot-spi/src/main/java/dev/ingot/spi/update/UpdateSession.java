package dev.ingot.spi.update;

import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.nio.channels.ReadableByteChannel;

/**
 * One update transaction. Tensors arrive in the format's native names, in any order and any number of
 * calls; nothing is visible to readers until {@link #commit()} succeeds. Not thread-safe: one transport
 * drives one session.
 */
public interface UpdateSession extends AutoCloseable {

    String id();

    UpdateRequest request();

    /** Copies a tensor (native name) into the staged weights, through the format's mapper. */
    void put(Tensor nativeTensor) throws UpdateRejectedException;

    /**
     * Streams exactly {@code info.byteSize()} bytes from {@code bytes} into staging, so a transport never
     * holds the tensor twice. A short read rejects the tensor (and the session stays open for a retry).
     */
    void put(TensorInfo nativeTensor, ReadableByteChannel bytes) throws UpdateRejectedException, IOException;

    /** Validates and swaps. On failure the session is aborted and the served weights are unchanged. */
    CommitResult commit() throws UpdateRejectedException;

    /** Drops the staged weights. Idempotent. */
    void abort(String reason);

    /** Aborts unless committed. */
    @Override
    default void close() {
        abort("closed before commit");
    }
}
