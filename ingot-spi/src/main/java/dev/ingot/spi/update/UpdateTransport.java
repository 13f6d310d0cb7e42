package dev.ingot.spi.update;

import java.io.IOException;
import java.util.Map;

/**
 * A way for updates to reach the engine that the built-in HTTP endpoints do not cover: shared memory,
 * a trainer's own RPC, a custom wire format. Started by {@code ingot serve --transport NAME}.
 */
public interface UpdateTransport {

    String name();

    String description();

    /**
     * Starts receiving updates for {@code target}. {@code options} are the user's {@code key=value}
     * settings for this transport. Returns a handle the engine closes on shutdown.
     */
    Running start(WeightUpdates target, Map<String, String> options) throws IOException;

    /** A started transport. */
    interface Running extends AutoCloseable {
        /** Where it listens, for the logs (an address, a path). */
        String endpoint();

        @Override
        void close() throws IOException;
    }
}
