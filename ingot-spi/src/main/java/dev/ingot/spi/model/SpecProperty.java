package dev.ingot.spi.model;

import java.util.Objects;

/**
 * A typed, architecture-specific entry of a {@link ModelSpec}, e.g. Qwen2's "q/k/v projections have a
 * bias". An architecture declares its properties as constants and reads them back with
 * {@link ModelSpec#get(SpecProperty)}; a spec without the entry yields {@link #defaultValue()}. New
 * properties never change {@code ModelSpec}'s own shape, so adding one breaks no plugin.
 *
 * @param name         a dotted, owner-qualified name, e.g. {@code "qwen.attention_bias"}; shown by {@code inspect}
 * @param type         the value's class (a record, {@code Boolean}, {@code Integer}, {@code Double}, {@code String}, an enum…)
 * @param defaultValue what an absent entry means
 */
public record SpecProperty<T>(String name, Class<T> type, T defaultValue) {

    public SpecProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        if (name.isBlank() || !type.isInstance(defaultValue)) {
            throw new IllegalArgumentException("property '" + name + "': default " + defaultValue + " is not a " + type.getSimpleName());
        }
    }

    public static <T> SpecProperty<T> of(String name, Class<T> type, T defaultValue) {
        return new SpecProperty<>(name, type, defaultValue);
    }
}
