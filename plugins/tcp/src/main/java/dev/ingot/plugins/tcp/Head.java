package dev.ingot.plugins.tcp;

import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonArray;
import dev.ingot.spi.json.JsonValue.JsonBoolean;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** One head line of the protocol, checked: every field typed, every size bounded, unknown fields refused. */
sealed interface Head {

    /** Tensors one bucket head may list (the HTTP route's limit too). */
    int MAX_TENSORS = 100_000;
    /** Characters of a tensor name. */
    int MAX_NAME = 1024;
    /** Dimensions of a tensor. */
    int MAX_RANK = 8;

    /** Opens an update: the token, then what {@link UpdateRequest} holds. */
    record Begin(String token, UpdateRequest request) implements Head {
        @Override
        public String toString() {
            return "begin of version " + request.version(); // never the token
        }
    }

    /**
     * A bucket: its tensors in the order their bytes follow the head, back to back. With {@code sumsAfter}, a
     * {@link #parseSums sums line} follows the bytes with every tensor's CRC-32: a sender sums each piece right
     * after writing it, while it is still in cache, instead of reading the whole bucket once more before.
     */
    record Bucket(List<TensorHead> tensors, boolean sumsAfter) implements Head {
        long bytes() {
            return tensors.stream().mapToLong(t -> t.info().byteSize()).sum();
        }
    }

    record Commit() implements Head {}

    record Abort(String reason) implements Head {}

    /** A tensor of a bucket: name, type and shape in the update format's native names, and its optional CRC-32. */
    record TensorHead(TensorInfo info, OptionalLong crc32) {}

    /** Parses a head line. */
    static Head parse(String line) throws ProtocolException {
        JsonValue value;
        try {
            value = Json.parse(line);
        } catch (IllegalArgumentException e) {
            throw invalid("the head is not JSON: " + e.getMessage());
        }
        if (!(value instanceof JsonObject head)) {
            throw invalid("the head is " + value.kind() + ", not an object");
        }
        String op = string(head, "op", null);
        return switch (op) {
            case "begin" -> begin(head);
            case "bucket" -> bucket(head);
            case "commit" -> {
                only(head, Set.of("op"));
                yield new Commit();
            }
            case "abort" -> {
                only(head, Set.of("op", "reason"));
                yield new Abort(string(head, "reason", "aborted by the client"));
            }
            default -> throw invalid("unknown op \"" + op + "\" (begin, bucket, commit, abort)");
        };
    }

    private static Begin begin(JsonObject head) throws ProtocolException {
        only(head, Set.of("op", "token", "version", "mode", "format", "label", "policy", "force"));
        String token = string(head, "token", null);
        long version = integer(head, "version");
        UpdateMode mode = choice(UpdateMode.class, head, "mode", UpdateMode.FULL);
        SwapPolicy policy = choice(SwapPolicy.class, head, "policy", SwapPolicy.FINISH);
        String format = string(head, "format", "hf");
        String label = string(head, "label", "");
        if (!(head.get("force").orElse(new JsonBoolean(false)) instanceof JsonBoolean force)) {
            throw invalid("\"force\" must be true or false");
        }
        return new Begin(token, new UpdateRequest(version, mode, format, label, policy, force.value()));
    }

    private static Bucket bucket(JsonObject head) throws ProtocolException {
        only(head, Set.of("op", "tensors", "crc32"));
        boolean sumsAfter = false;
        if (head.get("crc32").isPresent()) {
            if (!"after".equals(string(head, "crc32", null))) {
                throw invalid("a bucket's \"crc32\" can only be \"after\" (a sums line follows the bytes)");
            }
            sumsAfter = true;
        }
        if (!(head.get("tensors").orElse(null) instanceof JsonArray list)) {
            throw invalid("a bucket head needs \"tensors\", an array");
        }
        if (list.elements().isEmpty() || list.elements().size() > MAX_TENSORS) {
            throw invalid("a bucket lists 1 to " + MAX_TENSORS + " tensors, this one " + list.elements().size());
        }
        List<TensorHead> tensors = new ArrayList<>(list.elements().size());
        Set<String> names = new HashSet<>();
        long total = 0;
        for (JsonValue element : list.elements()) {
            int index = tensors.size();
            if (!(element instanceof JsonObject t)) {
                throw invalid("tensors[" + index + "] is " + element.kind() + ", not an object");
            }
            TensorHead tensor = tensor(t, index);
            if (sumsAfter && tensor.crc32().isPresent()) {
                throw invalid("tensor '" + tensor.info().name() + "' declares a crc32 in a bucket whose sums come after its bytes");
            }
            if (!names.add(tensor.info().name())) {
                throw invalid("tensor '" + tensor.info().name() + "' is listed twice in one bucket");
            }
            try {
                total = Math.addExact(total, tensor.info().byteSize());
            } catch (ArithmeticException e) {
                throw invalid("the bucket's tensors add up to more bytes than a long holds");
            }
            tensors.add(tensor);
        }
        return new Bucket(List.copyOf(tensors), sumsAfter);
    }

    private static TensorHead tensor(JsonObject t, int index) throws ProtocolException {
        String where = "tensors[" + index + "]";
        for (String key : t.members().keySet()) {
            if (!Set.of("name", "dtype", "shape", "bytes", "crc32").contains(key)) {
                throw invalid(where + ": unknown field \"" + key + "\" (name, dtype, shape, bytes, crc32)");
            }
        }
        String name = string(t, "name", null);
        if (name.isEmpty() || name.length() > MAX_NAME) {
            throw invalid(where + ": a tensor name has 1 to " + MAX_NAME + " characters");
        }
        where = "tensor '" + name + "'";
        String dtypeName = string(t, "dtype", null);
        DType dtype;
        try {
            dtype = DType.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw invalid(where + ": unknown dtype \"" + dtypeName + "\"");
        }
        if (!(t.get("shape").orElse(null) instanceof JsonArray dims) || dims.elements().size() > MAX_RANK) {
            throw invalid(where + ": \"shape\" must be an array of at most " + MAX_RANK + " dimensions");
        }
        long[] shape = new long[dims.elements().size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.elements().get(i) instanceof JsonNumber n) || !plainInteger(n) || n.literal().startsWith("-")) {
                throw invalid(where + ": shape[" + i + "] is not a dimension (a non-negative integer)");
            }
            try {
                shape[i] = n.longValue();
            } catch (ArithmeticException e) {
                throw invalid(where + ": shape[" + i + "] does not fit in a long");
            }
        }
        TensorInfo info;
        long expected;
        try {
            info = new TensorInfo(name, dtype, Shape.of(shape));
            expected = info.byteSize();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw invalid(where + ": " + e.getMessage());
        }
        long declared = integer(t, "bytes");
        if (declared != expected) {
            throw invalid(where + ": \"bytes\" says " + declared + " but " + dtype + Shape.of(shape) + " takes " + expected + " bytes");
        }
        OptionalLong crc = OptionalLong.empty();
        if (t.get("crc32").isPresent()) {
            String hex = string(t, "crc32", null);
            if (!hex.matches("[0-9a-f]{8}")) {
                throw invalid(where + ": \"crc32\" must be 8 lowercase hex digits, not \"" + hex + "\"");
            }
            crc = OptionalLong.of(Long.parseLong(hex, 16));
        }
        return new TensorHead(info, crc);
    }

    private static void only(JsonObject head, Set<String> known) throws ProtocolException {
        for (String key : head.members().keySet()) {
            if (!known.contains(key)) {
                throw invalid("unknown field \"" + key + "\" in a " + string(head, "op", "?") + " head");
            }
        }
    }

    private static String string(JsonObject head, String key, String orElse) throws ProtocolException {
        JsonValue v = head.get(key).orElse(null);
        if (v == null) {
            if (orElse == null) {
                throw invalid("missing field \"" + key + "\"");
            }
            return orElse;
        }
        if (!(v instanceof JsonString s)) {
            throw invalid("\"" + key + "\" must be a string, not " + v.kind());
        }
        return s.value();
    }

    private static long integer(JsonObject head, String key) throws ProtocolException {
        JsonValue v = head.get(key).orElse(null);
        if (!(v instanceof JsonNumber n) || !plainInteger(n)) {
            throw invalid(v == null ? "missing field \"" + key + "\"" : "\"" + key + "\" must be an integer (digits, no fraction or exponent)");
        }
        try {
            return n.longValue();
        } catch (ArithmeticException e) {
            throw invalid("\"" + key + "\" does not fit in a signed 64-bit integer");
        }
    }

    /**
     * Whether {@code n} is written as digits alone. Integers are taken only so: {@code 1e100000000} is integral
     * too, but finding out (and {@link JsonNumber#isIntegral}) expands it to a hundred million digits, seconds
     * of CPU for a 12-byte field. Every client writes integers as digits.
     */
    private static boolean plainInteger(JsonNumber n) {
        String literal = n.literal();
        for (int i = literal.startsWith("-") ? 1 : 0; i < literal.length(); i++) {
            if (literal.charAt(i) < '0' || literal.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static <E extends Enum<E>> E choice(Class<E> type, JsonObject head, String key, E orElse) throws ProtocolException {
        String value = string(head, key, orElse.name());
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("\"" + key + "\" is \"" + value + "\"; one of " + List.of(type.getEnumConstants()).toString().toLowerCase(Locale.ROOT));
        }
    }

    private static ProtocolException invalid(String message) {
        return new ProtocolException("invalid_request", message);
    }

    /**
     * The CRC-32s of a sums line, {@code {"op":"sums","crc32":["1c291ca3",...]}}: one per tensor of its bucket, in
     * the bucket's order.
     */
    static long[] parseSums(String line, int tensors) throws ProtocolException {
        JsonValue value;
        try {
            value = Json.parse(line);
        } catch (IllegalArgumentException e) {
            throw invalid("the sums line is not JSON: " + e.getMessage());
        }
        if (!(value instanceof JsonObject sums) || !"sums".equals(string(sums, "op", null))) {
            throw invalid("a bucket whose crc32 come after its bytes needs a sums line ({\"op\":\"sums\",\"crc32\":[...]}) next");
        }
        only(sums, Set.of("op", "crc32"));
        if (!(sums.get("crc32").orElse(null) instanceof JsonArray list) || list.elements().size() != tensors) {
            throw invalid("the sums line needs \"crc32\", an array of " + tensors + " checksums, one per tensor of the bucket");
        }
        long[] crcs = new long[tensors];
        for (int i = 0; i < tensors; i++) {
            if (!(list.elements().get(i) instanceof JsonString s) || !s.value().matches("[0-9a-f]{8}")) {
                throw invalid("crc32[" + i + "] of the sums line must be 8 lowercase hex digits");
            }
            crcs[i] = Long.parseLong(s.value(), 16);
        }
        return crcs;
    }

    /** The sums line a client writes after a bucket's bytes (what {@link #parseSums} reads back). */
    static String sumsLine(long[] crcs) {
        List<Object> list = new ArrayList<>(crcs.length);
        for (long crc : crcs) {
            list.add(String.format("%08x", crc));
        }
        Map<String, Object> line = new java.util.LinkedHashMap<>();
        line.put("op", "sums");
        line.put("crc32", list);
        return Json.write(line);
    }

    /** The head line a client writes for a bucket (what {@link #parse} reads back). */
    static String bucketLine(Bucket bucket) {
        List<Object> list = new ArrayList<>(bucket.tensors().size());
        for (TensorHead t : bucket.tensors()) {
            Map<String, Object> entry = new java.util.LinkedHashMap<>();
            entry.put("name", t.info().name());
            entry.put("dtype", t.info().dtype().name());
            entry.put("shape", t.info().shape().dims());
            entry.put("bytes", t.info().byteSize());
            t.crc32().ifPresent(crc -> entry.put("crc32", String.format("%08x", crc)));
            list.add(entry);
        }
        Map<String, Object> head = new java.util.LinkedHashMap<>();
        head.put("op", "bucket");
        if (bucket.sumsAfter()) {
            head.put("crc32", "after");
        }
        head.put("tensors", list);
        return Json.write(head);
    }
}
