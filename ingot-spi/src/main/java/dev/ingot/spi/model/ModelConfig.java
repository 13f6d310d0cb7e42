package dev.ingot.spi.model;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonArray;
import dev.ingot.spi.json.JsonValue.JsonBoolean;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's model configuration in Hugging Face {@code config.json} vocabulary, whatever file
 * it came from. A format plugin reads its own config (a {@code params.json}, a GGUF header, a binary
 * header) and says it in these words; the {@link ModelArchitecture} named by {@link #architectures()}
 * or {@link #modelType()} then reads the keys it knows into a {@link ModelSpec}. That split is what
 * lets any format carry any architecture.
 *
 * <p>Accessors throw {@link CheckpointException}s that name {@link #origin()} and the key, so an
 * architecture's parser needs no error handling of its own.
 *
 * @param origin where the values came from, for messages (a file, or "FILE (GGUF metadata)")
 * @param values the keys and values
 */
public record ModelConfig(String origin, JsonObject values) {

    public static Builder builder(String origin) {
        return new Builder(origin);
    }

    /** {@code "architectures"}: Hugging Face class names such as {@code Qwen3ForCausalLM}; empty when absent. */
    public List<String> architectures() throws CheckpointException {
        Optional<JsonValue> list = values.get("architectures");
        if (list.isEmpty() || list.get() instanceof JsonValue.JsonNull) {
            return List.of();
        }
        if (!(list.get() instanceof JsonArray array)) {
            throw fail("\"architectures\" must be an array of strings, got " + list.get().kind());
        }
        List<String> names = new ArrayList<>();
        for (JsonValue v : array.elements()) {
            if (!(v instanceof JsonString s)) {
                throw fail("\"architectures\" must be an array of strings, got an element that is " + v.kind());
            }
            names.add(s.value());
        }
        return names;
    }

    /** {@code "model_type"}, e.g. {@code qwen3}. */
    public Optional<String> modelType() throws CheckpointException {
        return string("model_type");
    }

    public boolean has(String key) {
        return values.get(key).filter(v -> !(v instanceof JsonValue.JsonNull)).isPresent();
    }

    /** The raw value; absent and {@code null} are both empty. */
    public Optional<JsonValue> get(String key) {
        return values.get(key).filter(v -> !(v instanceof JsonValue.JsonNull));
    }

    public int requiredInt(String key) throws CheckpointException {
        return integer(key).orElseThrow(() -> fail("missing required field \"" + key + "\""));
    }

    /** A 32-bit integer; a fraction, a string or an out-of-range value is an error naming the key. */
    public Optional<Integer> integer(String key) throws CheckpointException {
        Optional<JsonValue> v = get(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(asInt(key, v.get()));
    }

    public Optional<Double> number(String key) throws CheckpointException {
        Optional<JsonValue> v = get(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!(v.get() instanceof JsonNumber n)) {
            throw fail("\"" + key + "\" must be a number, got " + v.get().kind());
        }
        return Optional.of(n.doubleValue());
    }

    public Optional<Boolean> bool(String key) throws CheckpointException {
        Optional<JsonValue> v = get(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!(v.get() instanceof JsonBoolean b)) {
            throw fail("\"" + key + "\" must be true or false, got " + v.get().kind());
        }
        return Optional.of(b.value());
    }

    public Optional<String> string(String key) throws CheckpointException {
        Optional<JsonValue> v = get(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!(v.get() instanceof JsonString s)) {
            throw fail("\"" + key + "\" must be a string, got " + v.get().kind());
        }
        return Optional.of(s.value());
    }

    /** An integer or a list of integers (as {@code eos_token_id} may be); empty when absent or null. */
    public Optional<List<Integer>> integers(String key) throws CheckpointException {
        Optional<JsonValue> v = get(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (v.get() instanceof JsonArray array) {
            List<Integer> ids = new ArrayList<>();
            for (JsonValue e : array.elements()) {
                ids.add(asInt(key, e));
            }
            return Optional.of(ids);
        }
        return Optional.of(List.of(asInt(key, v.get())));
    }

    /** A nested object such as {@code rope_scaling}, or empty. */
    public Optional<JsonObject> object(String key) throws CheckpointException {
        Optional<JsonValue> v = get(key);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        if (!(v.get() instanceof JsonObject o)) {
            throw fail("\"" + key + "\" must be an object, got " + v.get().kind());
        }
        return Optional.of(o);
    }

    /** An error about this config: {@code ORIGIN: problem}. */
    public CheckpointException fail(String problem) {
        return new CheckpointException(origin + ": " + problem);
    }

    private int asInt(String key, JsonValue v) throws CheckpointException {
        if (v instanceof JsonNumber n && n.isIntegral()) {
            try {
                return Math.toIntExact(n.longValue());
            } catch (ArithmeticException e) {
                // falls through to the message below
            }
        }
        throw fail("\"" + key + "\" must be a 32-bit integer, got " + v.kind()
                + (v instanceof JsonNumber n ? " " + n.literal() : ""));
    }

    /** Builds a config from values a format read elsewhere. */
    public static final class Builder {
        private final String origin;
        private final Map<String, JsonValue> values = new LinkedHashMap<>();

        private Builder(String origin) {
            this.origin = origin;
        }

        public Builder architecture(String hfClassName, String modelType) {
            values.put("architectures", new JsonArray(List.of(new JsonString(hfClassName))));
            values.put("model_type", new JsonString(modelType));
            return this;
        }

        public Builder put(String key, long value) {
            values.put(key, JsonNumber.of(value));
            return this;
        }

        public Builder put(String key, double value) {
            values.put(key, JsonNumber.of(value));
            return this;
        }

        public Builder put(String key, boolean value) {
            values.put(key, new JsonBoolean(value));
            return this;
        }

        public Builder put(String key, String value) {
            values.put(key, new JsonString(value));
            return this;
        }

        public Builder put(String key, JsonValue value) {
            values.put(key, value);
            return this;
        }

        public Builder putIntegers(String key, List<Integer> ids) {
            values.put(key, new JsonArray(ids.stream().<JsonValue>map(i -> JsonNumber.of(i)).toList()));
            return this;
        }

        public ModelConfig build() {
            return new ModelConfig(origin, new JsonObject(values));
        }
    }
}
