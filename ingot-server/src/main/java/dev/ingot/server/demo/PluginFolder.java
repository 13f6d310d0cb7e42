package dev.ingot.server.demo;

import dev.ingot.spi.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the demo loads plugins from: {@code --plugins DIR}, else the folder {@code bin/ingot} fills
 * with the built plugin jars, {@code $INGOT_HOME/build/plugins}.
 */
public final class PluginFolder {

    static final String HOME_VARIABLE = "INGOT_HOME";

    private PluginFolder() {}

    public static Path resolve(Optional<Path> option, Function<String, String> environment) throws CheckpointException {
        Path folder;
        if (option.isPresent()) {
            folder = option.get();
        } else {
            String home = environment.apply(HOME_VARIABLE);
            if (home == null || home.isBlank()) {
                throw new CheckpointException("no plugin folder: run the demo through bin/ingot (it builds the plugin jars into "
                        + "$INGOT_HOME/build/plugins) or pass --plugins DIR");
            }
            folder = Path.of(home, "build", "plugins");
        }
        if (!Files.isDirectory(folder)) {
            throw new CheckpointException("plugin folder " + folder + " does not exist: build the project (bin/ingot does) "
                    + "or pass --plugins DIR");
        }
        return folder.toAbsolutePath().normalize();
    }
}
