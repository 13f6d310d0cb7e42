package dev.ingot.engine.plugin;

import static dev.ingot.engine.plugin.PluginFixtures.pluginNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.plugin.testing.TestPlugin;
import dev.ingot.spi.format.Detection.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How plugin-path entries become plugins: jars, folders of jars, sub-folders with libraries, and junk. */
class PluginPathTest {

    @TempDir
    Path plugins;

    @TempDir
    Path work;

    @Test
    void aJarCanBeAPluginPathEntryByItself() throws Exception {
        Path jar = TestPlugin.named("solo").format("solo", Tier.WEAK).writeJar(work.resolve("solo.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(jar)))) {
            assertThat(pluginNames(host)).contains("solo");
            assertThat(host.refused()).isEmpty();
            assertThat(host.warnings()).isEmpty();
        }
    }

    @Test
    void aSubFolderIsOnePluginWhoseJarsIncludingNestedOnesShareALoader() throws Exception {
        Path folder = plugins.resolve("with-lib");
        Path lib = PluginFixtures.libraryJar(folder.resolve("lib").resolve("shared-lib.jar"), "7");
        TestPlugin.named("with-lib").format("with-lib", Tier.WEAK).compiledAgainst(lib)
                .description("\"sees Lib \" + com.example.shared.Lib.version()").writeJar(folder.resolve("plugin.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(host.refused()).isEmpty();
            assertThat(host.format("with-lib").description()).isEqualTo("sees Lib 7");
        }
    }

    @Test
    void junkOnThePluginPathIsWarnedAboutAndTheRestLoads() throws Exception {
        TestPlugin.named("good").format("good", Tier.WEAK).writeJar(plugins.resolve("good.jar"));
        Files.createDirectories(plugins.resolve("empty-plugin"));
        Files.writeString(plugins.resolve("README.txt"), "notes");
        Files.createDirectories(plugins.resolve(".cache"));
        Path notAJar = Files.writeString(work.resolve("plugins.txt"), "a list");

        PluginConfig config = PluginConfig.of(List.of(plugins, notAJar, plugins));
        try (PluginHost host = PluginHost.discover(config)) {
            assertThat(pluginNames(host)).contains("good");
            assertThat(host.refused()).isEmpty(); // the folder named twice loads once: no duplicate "good"
            assertThat(host.warnings()).containsExactly(
                    "plugin folder " + plugins.resolve("empty-plugin") + " holds no .jar files; ignored",
                    "plugin path entry " + notAJar + " is neither a folder nor a .jar file; ignored");
        }
    }

    @Test
    void aFormatOptionWithAnEmptyPluginPartIsAnErrorSayingHowToWriteIt() throws Exception {
        TestPlugin.named("p").format("acme", Tier.WEAK).writeJar(plugins.resolve("p.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThatThrownBy(() -> host.select(work, Optional.of("acme@")))
                    .hasMessage("'acme@' names no plugin after '@'; write NAME@plugin");
            assertThat(host.select(work, Optional.of("acme@p")).pluginName()).isEqualTo("p");
        }
    }
}
