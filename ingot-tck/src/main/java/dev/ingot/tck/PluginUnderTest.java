package dev.ingot.tck;

import dev.ingot.engine.plugin.PluginConfig;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.spi.IngotPlugin;
import dev.ingot.tck.support.Files2;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The plugin as the engine will meet it: a plugin-path entry holding its jar(s), and the provider
 * classes its service file names. A jar is used as it is; a plugin folder (the plugin's jar and its
 * library jars) becomes one sub-folder of a fresh plugin path; a classes folder (a build's
 * {@code target/classes}) is packed into a jar first, so even a plugin's own test run loads it
 * through an isolated class loader.
 *
 * @param given     what the author pointed at
 * @param entry     the plugin-path entry handed to {@link PluginHost}
 * @param jars      every jar of the plugin
 * @param providers the {@link IngotPlugin} classes its service files list
 */
public record PluginUnderTest(Path given, Path entry, List<Path> jars, Set<String> providers) {

    static final String SERVICE_FILE = "META-INF/services/" + IngotPlugin.class.getName();

    public PluginUnderTest {
        jars = List.copyOf(jars);
        providers = Set.copyOf(providers);
    }

    static PluginUnderTest prepare(Path given, Path work) throws IOException {
        Path location = given.toAbsolutePath().normalize();
        if (!Files.exists(location)) {
            throw new IOException("plugin " + given + " does not exist");
        }
        List<Path> jars;
        Path entry;
        if (Files.isRegularFile(location)) {
            entry = location;
            jars = List.of(location);
        } else if (Files.isRegularFile(location.resolve(SERVICE_FILE))) {
            Path jar = work.resolve("plugin").resolve(folderName(location) + ".jar");
            pack(location, jar);
            entry = jar;
            jars = List.of(jar);
        } else {
            Path folder = work.resolve("plugin-path").resolve(folderName(location));
            Files2.copy(location, folder);
            entry = folder.getParent();
            try (Stream<Path> all = Files.walk(folder)) {
                jars = all.filter(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".jar")).sorted().toList();
            }
            if (jars.isEmpty()) {
                throw new IOException(given + " is neither a jar, a classes folder with " + SERVICE_FILE
                        + ", nor a folder of jars");
            }
        }
        return new PluginUnderTest(location, entry, jars, providersIn(jars));
    }

    /**
     * The engine's plugins with this one on the plugin path. Its provider classes are left out of the
     * class-path scan: in the plugin's own test run they are on the class path too, and users never
     * load a plugin from there.
     */
    PluginHost discover() {
        return PluginHost.discover(PluginConfig.of(List.of(entry)).withClassPathExclusions(providers));
    }

    /** True when a plugin origin (a jar path) is one of this plugin's jars. */
    public boolean owns(Path jar) {
        Path normal = jar.toAbsolutePath().normalize();
        return jars.stream().anyMatch(j -> j.toAbsolutePath().normalize().equals(normal));
    }

    private static String folderName(Path location) {
        Path name = location.getFileName();
        if (name != null && name.toString().equals("classes") && location.getParent() != null
                && location.getParent().getParent() != null) {
            return location.getParent().getParent().getFileName() + "-classes"; // plugins/acme/target/classes
        }
        return name == null ? "plugin" : name.toString();
    }

    private static Set<String> providersIn(List<Path> jars) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                JarEntry service = file.getJarEntry(SERVICE_FILE);
                if (service == null) {
                    continue;
                }
                String text = new String(file.getInputStream(service).readAllBytes(), StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    String name = line.replaceAll("#.*", "").trim();
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
            }
        }
        return names;
    }

    private static void pack(Path classes, Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        List<Path> files = new ArrayList<>();
        try (Stream<Path> all = Files.walk(classes)) {
            all.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        try (OutputStream raw = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(raw)) {
            for (Path file : files) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace(java.io.File.separatorChar, '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }
    }
}
