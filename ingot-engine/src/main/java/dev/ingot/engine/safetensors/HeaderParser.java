package dev.ingot.engine.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import dev.ingot.engine.load.Limits;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the JSON part of a safetensors header into validated entries. Every rule of the format is
 * checked here except the one that needs the size of the data area ({@link SafetensorsHeader#requireDataSize}).
 */
final class HeaderParser {

    static final String METADATA_KEY = "__metadata__";

    private final String source;

    private HeaderParser(String source) {
        this.source = source;
    }

    static SafetensorsHeader parse(String source, ByteBuffer json) throws CheckpointException {
        return new HeaderParser(source).parse(json);
    }

    private SafetensorsHeader parse(ByteBuffer json) throws CheckpointException {
        long headerBytes = json.remaining();
        requireUtf8(json.duplicate());
        List<SafetensorsEntry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        // Walk the top level ourselves, streaming from the bytes: a repeated tensor name deserves its own
        // message (the reference implementation would silently keep only one of the two), and counts are
        // checked as they grow, before a hostile header can fill the heap.
        try (JsonParser parser = StrictJson.parser(new ByteBufferInput(json.duplicate()))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw fail("header is not a JSON object");
            }
            Set<String> seen = new HashSet<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken start = parser.nextToken();
                if (!seen.add(name)) {
                    throw fail(name.equals(METADATA_KEY) ? "duplicate " + METADATA_KEY : "duplicate tensor name '" + name + "'");
                }
                if (name.equals(METADATA_KEY)) {
                    metadata = metadata(parser, start);
                } else {
                    if (entries.size() == Limits.MAX_TENSORS) {
                        throw fail("lists more than " + Limits.MAX_TENSORS + " tensors");
                    }
                    entries.add(entry(name, parser.readValueAsTree()));
                }
            }
            if (parser.nextToken() != null) {
                throw fail("unexpected content after the header's JSON object");
            }
        } catch (JsonProcessingException e) {
            throw fail("header is not well-formed JSON: " + StrictJson.describe(e));
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw fail("cannot parse header: " + e.getMessage());
        }
        entries.sort(Comparator.comparingLong(SafetensorsEntry::begin).thenComparingLong(SafetensorsEntry::end));
        requireContiguous(entries);
        return new SafetensorsHeader(source, headerBytes, entries, metadata);
    }

    /** Checks the bytes are UTF-8 a chunk at a time, never holding the decoded header. */
    private void requireUtf8(ByteBuffer json) throws CheckpointException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chunk = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(json, chunk, true);
            if (result.isError()) {
                throw fail("header is not valid UTF-8");
            }
            chunk.clear();
            if (result.isUnderflow()) {
                break;
            }
        }
        if (decoder.flush(chunk).isError()) {
            throw fail("header is not valid UTF-8");
        }
    }

    /** {@code __metadata__}, read entry by entry from the parser (positioned on its first token). */
    private Map<String, String> metadata(JsonParser parser, JsonToken start) throws IOException {
        if (start == JsonToken.VALUE_NULL) {
            return Map.of(); // the reference reader treats a null __metadata__ as absent
        }
        if (start != JsonToken.START_OBJECT) {
            throw fail(METADATA_KEY + " must be an object of strings, got " + StrictJson.kind(parser.readValueAsTree()));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            JsonToken value = parser.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                throw fail(METADATA_KEY + " value for key '" + key + "' must be a string, got "
                        + StrictJson.kind(parser.readValueAsTree()));
            }
            if (metadata.size() == Limits.MAX_METADATA_ENTRIES) {
                throw fail(METADATA_KEY + " holds more than " + Limits.MAX_METADATA_ENTRIES + " entries");
            }
            if (metadata.put(key, parser.getText()) != null) {
                throw fail("header is not well-formed JSON: Duplicate field '" + key + "' in " + METADATA_KEY);
            }
        }
        return metadata;
    }

    /** The header's bytes as a stream, for a parser that must not copy them (they may be a file mapping). */
    private static final class ByteBufferInput extends java.io.InputStream {
        private final ByteBuffer bytes;

        ByteBufferInput(ByteBuffer bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return bytes.hasRemaining() ? bytes.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (!bytes.hasRemaining()) {
                return -1;
            }
            int n = Math.min(length, bytes.remaining());
            bytes.get(into, offset, n);
            return n;
        }
    }

    private SafetensorsEntry entry(String name, JsonNode value) throws CheckpointException {
        if (!value.isObject()) {
            throw failTensor(name, "entry must be an object with dtype, shape and data_offsets, got " + StrictJson.kind(value));
        }
        DType dtype = dtype(name, value.get("dtype"));
        long[] dims = integers(name, "shape", value.get("shape"));
        long[] offsets = integers(name, "data_offsets", value.get("data_offsets"));
        if (offsets.length != 2) {
            throw failTensor(name, "data_offsets must be [begin, end], got " + offsets.length + " numbers");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw failTensor(name, "data_offsets " + Arrays.toString(offsets) + " end before they begin");
        }
        TensorInfo info = new TensorInfo(name, dtype, Shape.of(dims));
        long needed;
        try {
            needed = info.byteSize();
        } catch (ArithmeticException e) {
            throw failTensor(name, "shape " + info.shape() + " of " + dtype + " is too large to address");
        }
        if (end - begin != needed) {
            throw failTensor(name, "data_offsets " + Arrays.toString(offsets) + " hold " + (end - begin)
                    + " bytes but " + dtype + info.shape() + " needs " + needed);
        }
        return new SafetensorsEntry(info, begin, end);
    }

    private DType dtype(String name, JsonNode node) throws CheckpointException {
        if (node == null) {
            throw failTensor(name, "missing \"dtype\"");
        }
        if (!node.isTextual()) {
            throw failTensor(name, "dtype must be a string, got " + StrictJson.kind(node));
        }
        return DType.fromSafetensorsName(node.textValue()).orElseThrow(() -> failTensor(name,
                "unknown dtype '" + node.textValue() + "'; known: " + Arrays.toString(DType.values())));
    }

    /** A JSON array of non-negative integers that fit in a long. */
    private long[] integers(String name, String field, JsonNode node) throws CheckpointException {
        if (node == null) {
            throw failTensor(name, "missing \"" + field + "\"");
        }
        if (!node.isArray()) {
            throw failTensor(name, field + " must be an array of integers, got " + StrictJson.kind(node));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber()) {
                throw failTensor(name, field + " " + node + " holds " + StrictJson.kind(element) + ", not a non-negative integer");
            }
            if (!element.canConvertToLong() || element.longValue() < 0) {
                throw failTensor(name, field + " " + node + " holds " + element + ", not a non-negative integer");
            }
            values[i] = element.longValue();
        }
        return values;
    }

    /** Sorted entries must tile the data area from byte 0 with neither overlaps nor holes. */
    private void requireContiguous(List<SafetensorsEntry> sorted) throws CheckpointException {
        long cursor = 0;
        SafetensorsEntry previous = null;
        for (SafetensorsEntry entry : sorted) {
            if (entry.begin() < cursor) {
                throw failTensor(entry.name(), "data_offsets " + range(entry) + " overlap tensor '"
                        + previous.name() + "' " + range(previous));
            }
            if (entry.begin() > cursor) {
                throw failTensor(entry.name(), "data_offsets " + range(entry) + " leave data bytes [" + cursor + ", "
                        + entry.begin() + ") before it unused; tensors must cover the data area without holes");
            }
            cursor = entry.end();
            previous = entry;
        }
    }

    private static String range(SafetensorsEntry entry) {
        return "[" + entry.begin() + ", " + entry.end() + "]";
    }

    private CheckpointException fail(String problem) {
        return new CheckpointException(source + ": " + problem);
    }

    private CheckpointException failTensor(String tensor, String problem) {
        return fail("tensor '" + tensor + "': " + problem);
    }
}
