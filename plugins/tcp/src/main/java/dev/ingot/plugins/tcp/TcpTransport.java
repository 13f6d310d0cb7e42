package dev.ingot.plugins.tcp;

import dev.ingot.spi.update.UpdateTransport;
import dev.ingot.spi.update.WeightUpdates;
import java.io.IOException;
import java.util.Map;

/**
 * The {@code tcp} update transport: a framed protocol of JSON head lines and raw tensor bytes on a blocking
 * socket, one platform thread per connection, each tensor read from the socket straight into staging
 * (docs/weight-updates.md, "TCP transport").
 */
public final class TcpTransport implements UpdateTransport {

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String description() {
        return "JSON head lines and raw tensor bytes on a plain TCP socket (options: bind, port, token-file, max-connections, "
                + "idle-timeout-s, max-head-bytes)";
    }

    @Override
    public Running start(WeightUpdates target, Map<String, String> options) throws IOException {
        return TcpServer.start(target, TcpOptions.parse(options));
    }
}
