package dev.ingot.engine.plugin;

import java.util.Optional;

/**
 * A name the user typed to pick an extension: {@code NAME}, or {@code NAME@plugin} to say which plugin's
 * NAME when several plugins provide one.
 */
public record FormatRequest(String name, Optional<String> plugin) {

    public FormatRequest {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a format name is needed, got '" + name + "'");
        }
    }

    public static FormatRequest parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        int at = trimmed.lastIndexOf('@');
        if (at < 0) {
            return new FormatRequest(trimmed, Optional.empty());
        }
        String plugin = trimmed.substring(at + 1);
        if (plugin.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no plugin after '@'; write NAME@plugin");
        }
        return new FormatRequest(trimmed.substring(0, at), Optional.of(plugin));
    }

    @Override
    public String toString() {
        return plugin.map(p -> name + "@" + p).orElse(name);
    }
}
