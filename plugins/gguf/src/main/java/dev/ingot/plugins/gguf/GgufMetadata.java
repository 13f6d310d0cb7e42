package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The metadata key/values of one GGUF file, with typed look-ups whose errors name the file and the
 * key. The spec recommends accepting any integer width for counts ({@code uint32} or {@code uint64}),
 * so the integer look-ups do.
 */
final class GgufMetadata {

    private final Path file;
    private final Map<String, GgufValue> values;

    GgufMetadata(Path file, Map<String, GgufValue> values) {
        this.file = file;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    Path file() {
        return file;
    }

    Set<String> keys() {
        return values.keySet();
    }

    Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    private CheckpointException wrong(String key, String expected, GgufValue actual) {
        return new CheckpointException(file + ": metadata '" + key + "' must be " + expected + ", got " + actual.describe());
    }

    private CheckpointException missing(String key, String what) {
        return new CheckpointException(file + ": metadata '" + key + "' (" + what + ") is missing");
    }

    String requireString(String key, String what) throws CheckpointException {
        return string(key).orElseThrow(() -> missing(key, what));
    }

    Optional<String> string(String key) throws CheckpointException {
        GgufValue value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof GgufValue.Str(String text)) {
            return Optional.of(text);
        }
        throw wrong(key, "a string", value);
    }

    /** An integer of any width, as a signed long; a {@code uint64} beyond {@code Long.MAX_VALUE} is refused. */
    OptionalLong integer(String key) throws CheckpointException {
        GgufValue value = values.get(key);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (value instanceof GgufValue.Int(GgufValueType type, long v) && !(type == GgufValueType.UINT64 && v < 0)) {
            return OptionalLong.of(v);
        }
        throw wrong(key, "an integer", value);
    }

    /** A required integer in {@code 1..Integer.MAX_VALUE}. */
    int requirePositiveInt(String key, String what) throws CheckpointException {
        return positiveInt(key).orElseThrow(() -> missing(key, what));
    }

    Optional<Integer> positiveInt(String key) throws CheckpointException {
        OptionalLong value = integer(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.getAsLong() < 1 || value.getAsLong() > Integer.MAX_VALUE) {
            throw wrong(key, "a positive 32-bit count", values.get(key));
        }
        return Optional.of((int) value.getAsLong());
    }

    /** A float or integer value. Float32 values come back as their shortest decimal (1e-5f as 1.0E-5, not 9.99999974E-6). */
    Optional<Double> number(String key) throws CheckpointException {
        GgufValue value = values.get(key);
        return switch (value) {
            case null -> Optional.empty();
            case GgufValue.Real(GgufValueType type, double v) when type == GgufValueType.FLOAT32 ->
                    Optional.of(Double.parseDouble(Float.toString((float) v)));
            case GgufValue.Real r -> Optional.of(r.value());
            case GgufValue.Int i -> Optional.of((double) integer(key).getAsLong());
            default -> throw wrong(key, "a number", value);
        };
    }

    boolean bool(String key, boolean fallback) throws CheckpointException {
        GgufValue value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof GgufValue.Bool(boolean b)) {
            return b;
        }
        throw wrong(key, "a bool", value);
    }

    private Optional<List<GgufValue>> array(String key, GgufValueType elementType, String expected) throws CheckpointException {
        GgufValue value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof GgufValue.Array(GgufValueType type, List<GgufValue> items) && type == elementType) {
            return Optional.of(items);
        }
        if (value instanceof GgufValue.Packed packed && packed.elementType() == elementType) {
            return Optional.of(packed.items());
        }
        if (value instanceof GgufValue.Strings strings && strings.elementType() == elementType) {
            return Optional.of(strings.items());
        }
        throw wrong(key, expected, value);
    }

    Optional<List<String>> strings(String key) throws CheckpointException {
        Optional<List<GgufValue>> items = array(key, GgufValueType.STRING, "an array of strings");
        return items.map(list -> list.stream().map(v -> ((GgufValue.Str) v).value()).toList());
    }

    Optional<float[]> floats(String key) throws CheckpointException {
        Optional<List<GgufValue>> items = array(key, GgufValueType.FLOAT32, "an array of float32");
        if (items.isEmpty()) {
            return Optional.empty();
        }
        float[] out = new float[items.get().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) ((GgufValue.Real) items.get().get(i)).value();
        }
        return Optional.of(out);
    }

    /** An array of any integer type whose values fit an int (token types are int32 by the spec; some writers use others). */
    Optional<int[]> ints(String key) throws CheckpointException {
        GgufValue value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        List<GgufValue> items;
        if (value instanceof GgufValue.Array(GgufValueType type, List<GgufValue> listed) && type.isInteger()) {
            items = listed;
        } else if (value instanceof GgufValue.Packed packed && packed.elementType().isInteger()) {
            items = packed.items();
        } else {
            throw wrong(key, "an array of integers", value);
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            long v = ((GgufValue.Int) items.get(i)).value();
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new CheckpointException(file + ": metadata '" + key + "' element " + i + " (" + v + ") does not fit a 32-bit integer");
            }
            out[i] = (int) v;
        }
        return Optional.of(out);
    }
}
