package dev.ingot.engine.update;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The folders a reload may read checkpoints from ({@code --allow-reload-from}). A requested path is
 * resolved to its real location (symlinks followed) and must lie inside one of them, as must every
 * file directly inside a requested folder, so neither {@code ..} nor a symlink can reach elsewhere.
 */
public final class ReloadRoots {

    private final List<Path> roots;

    /** @param roots allowed folders; empty disables reloading from disk */
    public ReloadRoots(List<Path> roots) throws IOException {
        List<Path> real = new ArrayList<>();
        for (Path root : roots) {
            real.add(root.toRealPath());
        }
        this.roots = List.copyOf(real);
    }

    public static ReloadRoots none() {
        try {
            return new ReloadRoots(List.of());
        } catch (IOException e) {
            throw new AssertionError(e); // no paths, nothing to resolve
        }
    }

    public List<Path> roots() {
        return roots;
    }

    /** The real path of {@code requested}, or a refusal saying why. */
    public Path check(String requested) throws ReloadForbiddenException {
        if (roots.isEmpty()) {
            throw new ReloadForbiddenException("reloading from disk is disabled: start the server with --allow-reload-from DIR");
        }
        if (requested == null || requested.isBlank()) {
            throw new ReloadForbiddenException("\"path\" is required");
        }
        Path path = Path.of(requested);
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw new ReloadForbiddenException("reload path '" + requested + "' must not contain '..'");
            }
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ReloadForbiddenException("reload path '" + requested + "' does not exist");
        } catch (IOException e) {
            throw new ReloadForbiddenException("reload path '" + requested + "' cannot be resolved: " + e.getMessage());
        }
        requireInside(real, requested);
        if (Files.isDirectory(real)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(real)) {
                for (Path child : children) {
                    if (Files.isSymbolicLink(child)) {
                        requireInside(child.toRealPath(), requested + "/" + child.getFileName());
                    } else if (!Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(child)) {
                        throw new ReloadForbiddenException("reload path '" + requested + "' holds '" + child.getFileName()
                                + "', which is neither a file nor a folder");
                    }
                }
            } catch (NoSuchFileException e) {
                throw new ReloadForbiddenException("reload path '" + requested + "' holds a dangling link: " + e.getMessage());
            } catch (IOException e) {
                throw new ReloadForbiddenException("reload path '" + requested + "' cannot be listed: " + e.getMessage());
            }
        }
        return real;
    }

    private void requireInside(Path real, String requested) throws ReloadForbiddenException {
        for (Path root : roots) {
            if (real.startsWith(root)) {
                return;
            }
        }
        throw new ReloadForbiddenException("reload path '" + requested + "' is outside the allowed folders " + roots
                + " (see --allow-reload-from)");
    }
}
