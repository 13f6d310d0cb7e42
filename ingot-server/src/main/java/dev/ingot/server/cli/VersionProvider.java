package dev.ingot.server.cli;

import dev.ingot.spi.IngotPlugin;
import picocli.CommandLine;

/** Prints the engine version and the plugin API version plugins must be built for. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = IngotCommand.class.getPackage().getImplementationVersion();
        return new String[] {"ingot " + (version == null ? "dev" : version) + " (plugin API " + IngotPlugin.SPI_VERSION + ")",
                "JVM: " + Runtime.version() + " " + System.getProperty("java.vm.name")};
    }
}
