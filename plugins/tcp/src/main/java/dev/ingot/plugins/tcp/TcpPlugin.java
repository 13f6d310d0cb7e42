package dev.ingot.plugins.tcp;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.update.UpdateTransport;
import java.util.List;

/** Weight updates over a plain TCP socket, past the HTTP stack: {@code ingot serve --transport tcp}. */
public final class TcpPlugin implements IngotPlugin {

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String spiVersion() {
        return IngotPlugin.SPI_VERSION;
    }

    @Override
    public List<UpdateTransport> transports() {
        return List.of(new TcpTransport());
    }
}
