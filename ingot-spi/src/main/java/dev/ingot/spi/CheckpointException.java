package dev.ingot.spi;

import java.io.IOException;

/**
 * A checkpoint (or an update) cannot be read as what it claims to be. The message is the one line a
 * user sees, so it names the file and, where there is one, the tensor.
 */
public class CheckpointException extends IOException {

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
