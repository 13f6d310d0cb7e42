package dev.ingot.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginFolderTest {

    @Test
    void theOptionWinsOverIngotHome(@TempDir Path dir) throws IOException {
        Path chosen = Files.createDirectory(dir.resolve("mine"));
        Files.createDirectories(dir.resolve("home/build/plugins"));
        Map<String, String> env = Map.of("INGOT_HOME", dir.resolve("home").toString());
        assertThat(PluginFolder.resolve(Optional.of(chosen), env::get)).isEqualTo(chosen.toAbsolutePath());
        assertThat(PluginFolder.resolve(Optional.empty(), env::get)).isEqualTo(dir.resolve("home/build/plugins").toAbsolutePath());
    }

    @Test
    void withoutEitherOrWithAMissingFolderItSaysWhatToDo(@TempDir Path dir) {
        assertThatThrownBy(() -> PluginFolder.resolve(Optional.empty(), name -> null))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("no plugin folder: run the demo through bin/ingot (it builds the plugin jars into"
                        + " $INGOT_HOME/build/plugins) or pass --plugins DIR");
        Path missing = dir.resolve("nowhere");
        assertThatThrownBy(() -> PluginFolder.resolve(Optional.of(missing), name -> null))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("plugin folder " + missing + " does not exist: build the project (bin/ingot does) or pass --plugins DIR");
    }
}
