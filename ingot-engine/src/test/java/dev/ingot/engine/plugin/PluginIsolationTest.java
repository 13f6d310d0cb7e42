package dev.ingot.engine.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.plugin.testing.TestPlugin;
import dev.ingot.spi.format.Detection.Tier;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a plugin's class loader sees: the SPI and the JDK, its own jars, nothing of the engine. */
class PluginIsolationTest {

    @TempDir
    Path plugins;

    @TempDir
    Path work;

    @Test
    void twoPluginsBundlingDifferentVersionsOfOneLibraryEachSeeTheirOwn() throws Exception {
        for (String version : List.of("1", "2")) {
            Path folder = plugins.resolve("plugin-v" + version);
            Path lib = PluginFixtures.libraryJar(folder.resolve("lib.jar"), version);
            TestPlugin.named("uses-v" + version).format("lib" + version, Tier.WEAK).compiledAgainst(lib)
                    .description("\"sees Lib \" + com.example.shared.Lib.version()")
                    .writeJar(folder.resolve("plugin.jar"));
        }
        assertThatThrownBy(() -> Class.forName("com.example.shared.Lib")).isInstanceOf(ClassNotFoundException.class);

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(host.refused()).isEmpty();
            assertThat(host.format("lib1").description()).isEqualTo("sees Lib 1");
            assertThat(host.format("lib2").description()).isEqualTo("sees Lib 2");
            // A folder plugin is listed under the jar that holds its plugin class, not its library.
            assertThat(host.plugins()).filteredOn(p -> p.name().equals("uses-v1")).singleElement()
                    .satisfies(p -> assertThat(p.origin().jar()).contains(plugins.resolve("plugin-v1").resolve("plugin.jar")));
        }
    }

    @Test
    void aPluginSeesTheSpiAndTheJdkButNeitherEngineClassesNorTheEnginesLibraries() throws Exception {
        // These are all on the engine's class path right now, so "hidden" below is the loader's doing.
        Class.forName("dev.ingot.engine.plugin.PluginHost");
        Class.forName("com.fasterxml.jackson.databind.ObjectMapper");
        Class.forName("org.junit.jupiter.api.Test");
        TestPlugin.named("peek").format("peek", Tier.WEAK).description("""
                "engine=" + Plugin.sees("dev.ingot.engine.plugin.PluginHost")
                + " jackson=" + Plugin.sees("com.fasterxml.jackson.databind.ObjectMapper")
                + " junit=" + Plugin.sees("org.junit.jupiter.api.Test")
                + " spi=" + Plugin.sees("dev.ingot.spi.model.ModelSpec")
                + " jdk=" + Plugin.sees("java.sql.Connection")
                + " engineResource=" + (Plugin.class.getClassLoader().getResource("dev/ingot/engine/plugin/PluginHost.class") == null ? "hidden" : "visible")
                + " ownResource=" + (Plugin.class.getClassLoader().getResource("test/plugin/peek/Plugin.class") == null ? "hidden" : "visible")
                """).writeJar(plugins.resolve("peek.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(host.format("peek").description()).isEqualTo(
                    "engine=hidden jackson=hidden junit=hidden spi=visible jdk=visible engineResource=hidden ownResource=visible");
        }
    }
}
