package dev.ingot.engine.plugin;

import dev.ingot.engine.plugin.testing.JarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/** Small helpers the plugin-host tests share. */
final class PluginFixtures {

    private PluginFixtures() {}

    /** A one-class library jar: {@code com.example.shared.Lib.version()} returns {@code version}. */
    static Path libraryJar(Path jar, String version) throws IOException {
        return new JarBuilder().source("com.example.shared.Lib", """
                package com.example.shared;
                public final class Lib {
                    public static String version() { return "%s"; }
                }
                """.formatted(version)).write(jar);
    }

    /** A file for detection to look at; the test formats score it by their fixed confidence. */
    static Path checkpointFile(Path folder) throws IOException {
        return Files.writeString(folder.resolve("model.bin"), "not really weights");
    }

    static List<String> messages(Collection<RefusedPlugin> refused) {
        return refused.stream().map(RefusedPlugin::message).toList();
    }

    static List<String> pluginNames(PluginHost host) {
        return host.plugins().stream().map(PluginInfo::name).toList();
    }

    static <T> List<String> names(List<T> items, Function<T, String> name) {
        return items.stream().map(name).toList();
    }
}
