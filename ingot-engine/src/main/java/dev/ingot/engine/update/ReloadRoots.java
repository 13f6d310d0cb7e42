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
 * When the path names a file, the folder holding it is checked the same way: formats read the files
 * beside a checkpoint file ({@code config.json} and {@code tokenizer.json} beside a
 * {@code model.safetensors}, {@code tok512.bin} beside a llama2.c file), often with their own file
 * I/O, so a link among them that leaves the allowed folders refuses the reload before any plugin
 * code runs, and nothing from an outside file is read or quoted.
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
        if (requested.indexOf('\0') >= 0) {
            throw new ReloadForbiddenException("reload path must not contain a NUL character");
        }
        Path path;
        try {
            path = Path.of(requested);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ReloadForbiddenException("reload path is not a valid path: " + e.getReason());
        }
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
        requireInside(real, "reload path '" + requested + "'");
        if (Files.isDirectory(real)) {
            requireChildrenInside(real, "reload path '" + requested + "'");
        } else if (real.getParent() != null) {
            // the files beside it are read too (config.json, tokenizer.json, tok512.bin, ...)
            requireChildrenInside(real.getParent(), "the folder holding reload path '" + requested + "'");
        }
        return real;
    }

    /** Every entry of {@code folder} is a file or folder, and a link among them stays inside the roots. */
    private void requireChildrenInside(Path folder, String what) throws ReloadForbiddenException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(folder)) {
            for (Path child : children) {
                if (Files.isSymbolicLink(child)) {
                    Path target;
                    try {
                        target = child.toRealPath();
                    } catch (NoSuchFileException e) {
                        throw new ReloadForbiddenException(what + " holds a dangling link '" + child.getFileName() + "'");
                    }
                    requireInside(target, what + " holds '" + child.getFileName() + "', a link that leads");
                } else if (!Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                    throw new ReloadForbiddenException(what + " holds '" + child.getFileName()
                            + "', which is neither a file nor a folder");
                }
            }
        } catch (IOException e) {
            throw new ReloadForbiddenException(what + " cannot be listed: " + e.getClass().getSimpleName());
        }
    }

    private void requireInside(Path real, String subject) throws ReloadForbiddenException {
        for (Path root : roots) {
            if (real.startsWith(root)) {
                return;
            }
        }
        throw new ReloadForbiddenException(subject + " is outside the allowed folders " + roots
                + " (see --allow-reload-from)");
    }
}
