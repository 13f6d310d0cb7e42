package dev.ingot.engine.plugin;

import static dev.ingot.engine.plugin.PluginFixtures.messages;
import static dev.ingot.engine.plugin.PluginFixtures.pluginNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.plugin.testing.JarBuilder;
import dev.ingot.engine.plugin.testing.TestPlugin;
import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.SpiVersion;
import dev.ingot.spi.format.Detection.Tier;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which plugin jars load, which are refused, and what the user is told. Every plugin here is a real compiled jar. */
class PluginDiscoveryTest {

    @TempDir
    Path plugins;

    @TempDir
    Path work;

    @Test
    void pluginsBuiltForAnotherSpiMajorOrANewerMinorAreRefusedNamingJarAndVersions() throws Exception {
        Path future = TestPlugin.named("future").spiVersion("3.0").format("future", Tier.LAYOUT).writeJar(plugins.resolve("future.jar"));
        Path ancient = TestPlugin.named("ancient").spiVersion("0.9").format("ancient", Tier.LAYOUT).writeJar(plugins.resolve("ancient.jar"));
        Path newerMinor = TestPlugin.named("newer").spiVersion(SpiVersion.CURRENT.major() + "." + (SpiVersion.CURRENT.minor() + 1))
                .writeJar(plugins.resolve("newer.jar"));
        Path garbled = TestPlugin.named("garbled").spiVersion("one").writeJar(plugins.resolve("garbled.jar"));
        TestPlugin.named("current").format("current", Tier.LAYOUT).writeJar(plugins.resolve("current.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            String engine = SpiVersion.CURRENT.toString();
            assertThat(pluginNames(host)).contains("current").doesNotContain("future", "ancient", "newer", "garbled");
            assertThat(messages(host.refused())).containsExactlyInAnyOrder(
                    "plugin 'future' (" + future + ") refused: built for SPI 3.0, but this engine provides SPI " + engine
                            + "; it needs a newer Ingot",
                    "plugin 'ancient' (" + ancient + ") refused: built for SPI 0.9, but this engine provides SPI " + engine
                            + "; rebuild it against ingot-spi " + engine,
                    "plugin 'newer' (" + newerMinor + ") refused: built for SPI " + SpiVersion.CURRENT.major() + "."
                            + (SpiVersion.CURRENT.minor() + 1) + ", but this engine provides SPI " + engine + "; it needs a newer Ingot",
                    "plugin 'garbled' (" + garbled + ") refused: its spiVersion() is 'one', not major.minor;"
                            + " it should return IngotPlugin.SPI_VERSION");
            assertThatThrownBy(() -> host.format("future")).hasMessageStartingWith("unknown format 'future'; known formats: ")
                    .hasMessageContaining("current");
        }
    }

    @Test
    void aPluginWhoseConstructorThrowsIsRefusedWithTheRealCause() throws Exception {
        TestPlugin broken = TestPlugin.named("broken").constructor("throw new IllegalStateException(\"licence file /etc/acme.lic missing\");");
        Path jar = broken.writeJar(plugins.resolve("broken.jar"));
        TestPlugin.named("fine").format("fine", Tier.WEAK).writeJar(plugins.resolve("fine.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(pluginNames(host)).contains("fine");
            assertThat(messages(host.refused())).containsExactly("plugin '" + broken.className() + "' (" + jar + ") refused: its class "
                    + broken.className() + " could not be created: java.lang.IllegalStateException: licence file /etc/acme.lic missing");
        }
    }

    @Test
    void aPluginMissingADependencyJarIsRefusedWithAHintAboutPluginFolders() throws Exception {
        Path lib = PluginFixtures.libraryJar(work.resolve("lib.jar"), "1");
        TestPlugin needy = TestPlugin.named("needy").compiledAgainst(lib).constructor("com.example.shared.Lib.version();");
        Path jar = needy.writeJar(plugins.resolve("needy.jar")); // lib.jar is not shipped beside it

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(messages(host.refused())).containsExactly("plugin '" + needy.className() + "' (" + jar + ") refused: its class "
                    + needy.className() + " could not be created: class com.example.shared.Lib is missing: the plugin needs a jar"
                    + " it does not bring (put the plugin jar and its dependency jars together in one sub-folder of the plugin path)");
        }
    }

    @Test
    void aServiceFileNamingAMissingClassOrAJarWithoutOneIsRefused() throws Exception {
        Path typo = new JarBuilder().source("com.acme.Helper", "package com.acme; public class Helper {}")
                .service("com.acme.AcmePlugn").write(plugins.resolve("typo.jar"));
        Path library = new JarBuilder().source("com.acme.Helper", "package com.acme; public class Helper {}")
                .write(plugins.resolve("helper-lib.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(messages(host.refused())).containsExactly(
                    "plugin 'helper-lib.jar' (" + library + ") refused: no META-INF/services/dev.ingot.spi.IngotPlugin in it:"
                            + " not an Ingot plugin",
                    "plugin 'com.acme.AcmePlugn' (" + typo + ") refused: META-INF/services/dev.ingot.spi.IngotPlugin names class"
                            + " com.acme.AcmePlugn, which is not in the plugin's jars");
        }
    }

    @Test
    void theAllowListLoadsOnlyTheNamedPluginsAndWarnsAboutNamesItNeverSaw() throws Exception {
        TestPlugin.named("alpha").format("alpha", Tier.WEAK).writeJar(plugins.resolve("alpha.jar"));
        Path beta = TestPlugin.named("beta").format("beta", Tier.WEAK).writeJar(plugins.resolve("beta.jar"));
        TestPlugin.named("gamma").format("gamma", Tier.WEAK).writeJar(plugins.resolve("gamma.jar"));

        PluginConfig config = PluginConfig.of(List.of(plugins)).withEnabled("alpha, gamma,ghost");
        try (PluginHost host = PluginHost.discover(config)) {
            assertThat(pluginNames(host)).contains("alpha", "gamma").doesNotContain("beta");
            assertThat(messages(host.refused())).containsExactly(
                    "plugin 'beta' (" + beta + ") refused: not enabled (--plugins-enabled: alpha, gamma, ghost)");
            assertThat(host.warnings()).containsExactly("--plugins-enabled names 'ghost', but no plugin of that name was found");
        }
        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)).withEnabled(""))) {
            assertThat(pluginNames(host)).doesNotContain("alpha", "beta", "gamma");
            assertThat(messages(host.refused())).hasSize(3).allMatch(m -> m.endsWith("refused: not enabled (--plugins-enabled: none)"));
        }
    }

    @Test
    void theFirstOfTwoPluginsWithOneNameWins() throws Exception {
        Path first = TestPlugin.named("twin").format("one", Tier.WEAK).writeJar(plugins.resolve("a-twin.jar"));
        Path second = TestPlugin.named("twin").format("two", Tier.WEAK).writeJar(plugins.resolve("b-twin.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(host.plugins()).filteredOn(p -> p.name().equals("twin")).singleElement()
                    .satisfies(p -> assertThat(p.origin().jar()).contains(first));
            assertThat(messages(host.refused())).containsExactly("plugin 'twin' (" + second + ") refused: a plugin of that name"
                    + " is already loaded from " + first + "; the first one on the plugin path wins");
        }
    }

    @Test
    void pluginsThatMisbehaveWhileDescribingThemselvesAreRefused() throws Exception {
        Path shouting = TestPlugin.named("shouting").format("Big Format", Tier.WEAK).writeJar(plugins.resolve("shouting.jar"));
        Path twice = TestPlugin.named("twice").format("same", Tier.WEAK).format("same", Tier.WEAK).writeJar(plugins.resolve("twice.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(messages(host.refused())).containsExactlyInAnyOrder(
                    "plugin 'shouting' (" + shouting + ") refused: its format name 'Big Format' is not usable:"
                            + " format names are lower-case letters, digits, '.', '_' or '-'",
                    "plugin 'twice' (" + twice + ") refused: it lists format 'same' twice");
        }
    }

    @Test
    void theListingShowsWhatEachPluginProvidesAndWhereItCameFrom() throws Exception {
        Path jar = TestPlugin.named("full").format("fa", Tier.WEAK).format("fb", Tier.WEAK).tokenizer("tk", Tier.WEAK).transport("wire")
                .writeJar(plugins.resolve("full.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(host.plugins()).filteredOn(p -> p.name().equals("full")).singleElement().satisfies(p -> {
                assertThat(p.version()).isEqualTo("1.2.3");
                assertThat(p.spiVersion()).isEqualTo(IngotPlugin.SPI_VERSION);
                assertThat(p.origin().toString()).isEqualTo(jar.toString());
                assertThat(p.formats()).extracting(PluginInfo.ExtensionInfo::name).containsExactly("fa", "fb");
                assertThat(p.formats()).extracting(PluginInfo.ExtensionInfo::description).containsExactly("test format fa", "test format fb");
                assertThat(p.tokenizers()).extracting(PluginInfo.ExtensionInfo::name).containsExactly("tk");
                assertThat(p.transports()).extracting(PluginInfo.ExtensionInfo::name).containsExactly("wire");
            });
            assertThat(host.transport("wire").description()).isEqualTo("test transport wire");
        }
    }

    @Test
    void theEnvironmentVariableAddsPluginFoldersSeparatedByThePathSeparator() throws Exception {
        Path first = Files.createDirectories(work.resolve("first"));
        Path second = Files.createDirectories(work.resolve("second"));
        Path missing = work.resolve("missing");
        TestPlugin.named("from-first").writeJar(first.resolve("p.jar"));
        TestPlugin.named("from-second").writeJar(second.resolve("p.jar"));
        String variable = first + File.pathSeparator + File.pathSeparator + " " + second + " " + File.pathSeparator + missing;

        PluginConfig config = PluginConfig.of(List.of(plugins)).withEnvironment(Map.of("INGOT_PLUGIN_PATH", variable)::get);

        assertThat(config.pluginPath()).containsExactly(plugins, first, second, missing);
        assertThat(PluginConfig.builtinOnly().withEnvironment(name -> null).pluginPath()).isEmpty();
        try (PluginHost host = PluginHost.discover(config)) {
            assertThat(pluginNames(host)).contains("from-first", "from-second");
            assertThat(host.warnings()).containsExactly("plugin path entry " + missing + " does not exist; ignored");
        }
    }

    @Test
    void aPluginThatBundlesTheSpiStillUsesTheEnginesCopyAndItsAuthorIsWarned() throws Exception {
        String spiClass = IngotPlugin.class.getName().replace('.', '/') + ".class";
        byte[] spiBytes;
        try (var in = IngotPlugin.class.getResourceAsStream("/" + spiClass)) {
            spiBytes = in.readAllBytes();
        }
        TestPlugin fat = TestPlugin.named("fat").format("fat", Tier.WEAK);
        Path jar = new JarBuilder().source(fat.className(), fat.source()).service(fat.className())
                .file(spiClass, spiBytes).write(plugins.resolve("fat.jar"));

        try (PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)))) {
            assertThat(pluginNames(host)).contains("fat");
            assertThat(host.warnings()).containsExactly(jar + " contains the ingot-spi classes; the engine's own are used instead"
                    + " (declare dev.ingot:ingot-spi with scope 'provided')");
        }
    }

    @Test
    void closingTheHostClosesThePluginClassLoaders() throws Exception {
        TestPlugin.named("closable").format("closable", Tier.WEAK).writeJar(plugins.resolve("closable.jar"));
        PluginHost host = PluginHost.discover(PluginConfig.of(List.of(plugins)));
        ClassLoader loader = host.format("closable").getClass().getClassLoader();
        String ownClass = TestPlugin.named("closable").className().replace('.', '/') + ".class";
        assertThat(loader.getResource(ownClass)).isNotNull();

        host.close();
        host.close();

        assertThat(loader.getResource(ownClass)).isNull();
    }
}
