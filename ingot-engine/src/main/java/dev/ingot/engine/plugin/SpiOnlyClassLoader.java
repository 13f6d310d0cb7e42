package dev.ingot.engine.plugin;

import dev.ingot.spi.IngotPlugin;
import java.io.IOException;
import java.net.URL;
import java.util.Enumeration;

/**
 * The parent of every plugin class loader. It answers for the JDK (through the platform loader) and
 * for {@code dev.ingot.spi}, which it takes from the engine so plugin and engine share one copy of the
 * interfaces. Everything else on the engine's class path (engine classes, Jackson, picocli, …) is
 * invisible: a plugin uses only the SPI, and its own libraries never clash with the engine's.
 */
final class SpiOnlyClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String SPI_PACKAGE = IngotPlugin.class.getPackageName() + ".";
    private static final String SPI_RESOURCES = SPI_PACKAGE.replace('.', '/');

    private final ClassLoader engine;

    SpiOnlyClassLoader(ClassLoader engine) {
        super("ingot-spi", ClassLoader.getPlatformClassLoader());
        this.engine = engine;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SPI_PACKAGE)) {
            return engine.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        return name.startsWith(SPI_RESOURCES) ? engine.getResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return name.startsWith(SPI_RESOURCES) ? engine.getResources(name) : super.getResources(name);
    }
}
