package dev.ingot.spi;

/**
 * A parsed {@code major.minor} SPI version. A plugin built for {@code M.m} runs on an engine whose
 * SPI is {@code M.n} with {@code n >= m}: minor versions only add.
 */
public record SpiVersion(int major, int minor) {

    public static final SpiVersion CURRENT = parse(IngotPlugin.SPI_VERSION);

    public SpiVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("SPI version parts must be non-negative: " + major + "." + minor);
        }
    }

    /** Parses {@code "1.0"}; throws {@link IllegalArgumentException} naming the text otherwise. */
    public static SpiVersion parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no SPI version given");
        }
        String[] parts = text.trim().split("\\.");
        if (parts.length != 2) {
            throw new IllegalArgumentException("SPI version must be major.minor, got '" + text + "'");
        }
        try {
            return new SpiVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SPI version must be major.minor, got '" + text + "'");
        }
    }

    /** True when a plugin built for {@code pluginVersion} may run against this (the engine's) SPI. */
    public boolean accepts(SpiVersion pluginVersion) {
        return pluginVersion.major == major && pluginVersion.minor <= minor;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
