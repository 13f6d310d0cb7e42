package dev.ingot.plugins.tcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.spi.tensor.DType;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * What {@link Head#parse} may accept, checked against the line as Jackson reads it (docs/weight-updates.md,
 * "TCP transport"): every value the head carries is the one the line holds, and every size is inside the caps —
 * tensor count, name length, rank — with {@code bytes} equal to the element count times the type's size,
 * counted here in {@link BigInteger} so no overflow can hide. An accepted bucket head written back by
 * {@link Head#bucketLine} parses to the same bucket.
 */
final class HeadOracle {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    private HeadOracle() {}

    static void check(String line) throws Exception {
        Head head = Head.parse(line);
        JsonNode json = JACKSON.readTree(line);
        switch (head) {
            case Head.Begin begin -> {
                require(begin.token().equals(json.get("token").textValue()), "token", line);
                require(BigInteger.valueOf(begin.request().version()).equals(integer(json.get("version"))), "version", line);
            }
            case Head.Bucket bucket -> {
                require(bucket.sumsAfter() == json.has("crc32") && (!json.has("crc32") || "after".equals(json.get("crc32").textValue())),
                        "crc32 of the bucket", line);
                require(!bucket.sumsAfter() || bucket.tensors().stream().allMatch(t -> t.crc32().isEmpty()), "crc32s of a sums-after bucket", line);
                bucket(bucket, json.get("tensors"), line);
            }
            case Head.Commit ignored -> require(json.size() == 1, "commit fields", line);
            case Head.Abort abort -> require(!json.has("reason") || abort.reason().equals(json.get("reason").textValue()), "reason", line);
        }
    }

    private static void bucket(Head.Bucket bucket, JsonNode tensors, String line) throws Exception {
        int count = bucket.tensors().size();
        require(count >= 1 && count <= Head.MAX_TENSORS && count == tensors.size(), "tensor count " + count, line);
        Set<String> names = new HashSet<>();
        BigInteger total = BigInteger.ZERO;
        Iterator<JsonNode> listed = tensors.elements();
        for (Head.TensorHead tensor : bucket.tensors()) {
            JsonNode t = listed.next();
            String name = tensor.info().name();
            require(name.equals(t.get("name").textValue()) && !name.isEmpty() && name.length() <= Head.MAX_NAME && names.add(name), "name " + name, line);
            DType dtype = tensor.info().dtype();
            require(dtype.name().equals(t.get("dtype").textValue()), "dtype of " + name, line);
            long[] dims = tensor.info().shape().dims();
            JsonNode shape = t.get("shape");
            require(dims.length <= Head.MAX_RANK && dims.length == shape.size(), "rank of " + name, line);
            BigInteger elements = BigInteger.ONE;
            for (int i = 0; i < dims.length; i++) {
                require(dims[i] >= 0 && BigInteger.valueOf(dims[i]).equals(integer(shape.get(i))), "shape of " + name, line);
                elements = elements.multiply(BigInteger.valueOf(dims[i]));
            }
            BigInteger block = BigInteger.valueOf(dtype.blockElements());
            require(elements.mod(block).signum() == 0, "whole blocks of " + name, line);
            BigInteger bytes = elements.divide(block).multiply(BigInteger.valueOf(dtype.blockBytes()));
            require(bytes.equals(integer(t.get("bytes"))) && bytes.equals(BigInteger.valueOf(tensor.info().byteSize())), "bytes of " + name, line);
            require(tensor.crc32().isEmpty() == !t.has("crc32")
                    && (tensor.crc32().isEmpty() || tensor.crc32().getAsLong() == Long.parseLong(t.get("crc32").textValue(), 16)), "crc32 of " + name, line);
            total = total.add(bytes);
        }
        require(total.equals(BigInteger.valueOf(bucket.bytes())), "bucket bytes", line);
        require(Head.parse(Head.bucketLine(bucket)).equals(bucket), "the bucket head written back", line);
    }

    /** An integer as the line writes it; Jackson keeps every digit. */
    private static BigInteger integer(JsonNode node) {
        require(node != null && node.isIntegralNumber(), "an integer", String.valueOf(node));
        return node.bigIntegerValue();
    }

    private static void require(boolean holds, String what, String line) {
        if (!holds) {
            throw new AssertionError("Head.parse accepted a head whose " + what + " is not what the line says: " + line);
        }
    }
}
