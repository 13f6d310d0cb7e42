package dev.ingot.engine.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Turns plugin-path entries into {@link PluginBundle}s. An entry is a jar (one plugin) or a folder in
 * which each jar is one plugin and each sub-folder, with every jar below it, is one plugin. Problems
 * with the path itself (missing entries, empty sub-folders) are warnings: the other entries still load.
 */
final class PluginPathScanner {

    private PluginPathScanner() {}

    static List<PluginBundle> scan(List<Path> entries, Consumer<String> warnings) {
        List<PluginBundle> bundles = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path entry : entries) {
            Path normal = entry.toAbsolutePath().normalize();
            if (!seen.add(normal)) {
                continue; // the same folder from --plugins and INGOT_PLUGIN_PATH: load it once
            }
            if (Files.isDirectory(normal)) {
                scanFolder(normal, bundles, warnings);
            } else if (isJar(normal)) {
                bundles.add(new PluginBundle(normal, List.of(normal)));
            } else if (Files.exists(normal)) {
                warnings.accept("plugin path entry " + entry + " is neither a folder nor a .jar file; ignored");
            } else {
                warnings.accept("plugin path entry " + entry + " does not exist; ignored");
            }
        }
        return bundles;
    }

    private static void scanFolder(Path folder, List<PluginBundle> bundles, Consumer<String> warnings) {
        List<Path> children;
        try {
            children = sortedChildren(folder);
        } catch (IOException e) {
            warnings.accept("cannot list plugin folder " + folder + ": " + e + "; ignored");
            return;
        }
        for (Path child : children) {
            if (child.getFileName().toString().startsWith(".")) {
                continue;
            }
            if (Files.isDirectory(child)) {
                List<Path> jars;
                try {
                    jars = jarsBelow(child);
                } catch (IOException | UncheckedIOException e) {
                    warnings.accept("cannot list plugin folder " + child + ": " + e + "; ignored");
                    continue;
                }
                if (jars.isEmpty()) {
                    warnings.accept("plugin folder " + child + " holds no .jar files; ignored");
                } else {
                    bundles.add(new PluginBundle(child, jars));
                }
            } else if (isJar(child)) {
                bundles.add(new PluginBundle(child, List.of(child)));
            }
        }
    }

    private static List<Path> sortedChildren(Path folder) throws IOException {
        try (Stream<Path> children = Files.list(folder)) {
            return children.sorted().toList();
        }
    }

    /** Every jar below {@code folder}; a walk that meets an unreadable folder throws UncheckedIOException. */
    private static List<Path> jarsBelow(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(PluginPathScanner::isJar).sorted().toList();
        }
    }

    private static boolean isJar(Path file) {
        return Files.isRegularFile(file) && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar");
    }
}
