package dev.ingot.engine.safetensors;

import static dev.ingot.engine.safetensors.RawSafetensors.blob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule of the format, broken once each; the user must be told what and where in one line. */
class SafetensorsValidationTest {

    @TempDir
    Path dir;

    static Stream<Arguments> badHeaders() {
        String ok = "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]";
        return Stream.of(
                Arguments.of("not JSON", "{\"a\": {", 0, "header is not well-formed JSON"),
                Arguments.of("not an object", "[1, 2]", 0, "header is not a JSON object"),
                Arguments.of("trailing content", "{}  {}", 0, "unexpected content after the header's JSON object"),
                Arguments.of("duplicate tensor", "{\"a\":{" + ok + "},\"a\":{" + ok + "}}", 8, "duplicate tensor name 'a'"),
                Arguments.of("duplicate key inside an entry", "{\"a\":{" + ok + ",\"dtype\":\"F16\"}}", 8,
                        "header is not well-formed JSON: Duplicate field 'dtype'"),
                Arguments.of("entry not an object", "{\"a\": 3}", 0,
                        "tensor 'a': entry must be an object with dtype, shape and data_offsets, got an integer"),
                Arguments.of("missing dtype", "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'a': missing \"dtype\""),
                Arguments.of("missing shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 'a': missing \"shape\""),
                Arguments.of("missing offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 'a': missing \"data_offsets\""),
                Arguments.of("dtype not a string", "{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a': dtype must be a string, got an integer"),
                Arguments.of("unknown dtype", "{\"a\":{\"dtype\":\"F4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1,
                        "tensor 'a': unknown dtype 'F4'; known: [F64, F32, F16, BF16"),
                Arguments.of("shape not an array", "{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a': shape must be an array of integers, got a string"),
                Arguments.of("negative dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a': shape [2,-1] holds -1, not a non-negative integer"),
                Arguments.of("non-integer dimension", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a': shape [2.0] holds a non-integer number 2.0, not a non-negative integer"),
                Arguments.of("dimension beyond 64 bits", "{\"a\":{\"dtype\":\"F32\",\"shape\":[18446744073709551616],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a': shape [18446744073709551616] holds 18446744073709551616, not a non-negative integer"),
                Arguments.of("offsets not a pair", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8,
                        "tensor 'a': data_offsets must be [begin, end], got 1 numbers"),
                Arguments.of("offsets reversed", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8,
                        "tensor 'a': data_offsets [8, 0] end before they begin"),
                Arguments.of("size does not match shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a': data_offsets [0, 8] hold 8 bytes but F32[3] needs 12"),
                Arguments.of("shape overflows", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8,
                        "tensor 'a': shape [4294967296, 4294967296] of F32 is too large to address"),
                Arguments.of("overlap", "{\"a\":{" + ok + "},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                        "tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]"),
                Arguments.of("hole", "{\"a\":{" + ok + "},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}", 16,
                        "tensor 'b': data_offsets [12, 16] leave data bytes [8, 12) before it unused"),
                Arguments.of("first tensor not at 0", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12,
                        "tensor 'a': data_offsets [4, 12] leave data bytes [0, 4) before it unused"),
                Arguments.of("offsets past the data area", "{\"a\":{" + ok + "}}", 4,
                        "truncated: tensor 'a' ends at data byte 8 but the data area holds only 4 bytes"),
                Arguments.of("bytes after the last tensor", "{\"a\":{" + ok + "}}", 12,
                        "4 bytes after the last tensor belong to no tensor (data area 12 bytes, tensors end at 8)"),
                Arguments.of("metadata not an object", "{\"__metadata__\": [\"x\"]}", 0,
                        "__metadata__ must be an object of strings, got an array"),
                Arguments.of("metadata value not a string", "{\"__metadata__\": {\"format\": 1}}", 0,
                        "__metadata__ value for key 'format' must be a string, got an integer"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHeaders")
    void refusesWithOneClearLine(String rule, String json, int dataBytes, String expected) throws IOException {
        Path file = RawSafetensors.write(dir, "bad.safetensors", blob(json, dataBytes));

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(CheckpointException.class)
                .message().startsWith(file + ": ").contains(expected).doesNotContain("\n");
    }

    @Test
    void refusesHeaderThatIsNotUtf8() throws IOException {
        byte[] json = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        Path file = RawSafetensors.write(dir, "latin.safetensors", blob(json, 0));

        assertThatThrownBy(() -> SafetensorsFile.open(file)).hasMessage(file + ": header is not valid UTF-8");
    }

    @Test
    void refusesFileShorterThanTheLengthPrefix() throws IOException {
        Path file = RawSafetensors.write(dir, "tiny.safetensors", new byte[] {1, 2, 3, 4, 5});

        assertThatThrownBy(() -> SafetensorsFile.open(file)).hasMessage(file
                + ": truncated: 5 bytes, but a safetensors file starts with an 8-byte header length");
    }

    @Test
    void refusesHeaderLengthOverTheLimit() throws IOException {
        byte[] bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200L << 20).array();
        Path file = RawSafetensors.write(dir, "huge.safetensors", bytes);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .hasMessage(file + ": header length 209715200 is over the limit of 104857600 bytes");
    }

    @Test
    void refusesHeaderLengthThatWrapsNegative() throws IOException {
        byte[] bytes = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array();
        Path file = RawSafetensors.write(dir, "wrap.safetensors", bytes);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .hasMessage(file + ": header length 18446744073709551615 is over the limit of 104857600 bytes");
    }

    @Test
    void refusesHeaderRunningPastTheEndOfTheFile() throws IOException {
        byte[] full = blob("{\"__metadata__\":{\"format\":\"pt\"}}", 0);
        Path file = RawSafetensors.write(dir, "cut.safetensors", java.util.Arrays.copyOf(full, 20));

        assertThatThrownBy(() -> SafetensorsFile.open(file)).hasMessage(file
                + ": truncated: header length 32 runs past the end of the file (20 bytes)");
    }

    @Test
    void refusesMissingFile() {
        Path file = dir.resolve("absent.safetensors");

        assertThatThrownBy(() -> SafetensorsFile.open(file)).hasMessage(file + ": no such file");
    }

    @Test
    void acceptsZeroSizedTensorsAndNullMetadataAsTheReferenceDoes() throws IOException {
        String json = "{\"__metadata__\":null,\"empty\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        Path file = RawSafetensors.write(dir, "ok.safetensors", blob(json, 2));

        try (SafetensorsFile opened = SafetensorsFile.open(file)) {
            assertThat(opened.tensors()).extracting(t -> t.name()).containsExactly("empty", "a");
            assertThat(opened.read("empty").data().byteSize()).isZero();
            assertThat(opened.header().metadata()).isEmpty();
        }
    }

    @Test
    void readingAnAbsentTensorNamesIt() throws IOException {
        Path file = RawSafetensors.write(dir, "ok.safetensors", blob("{}", 0));

        try (SafetensorsFile opened = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> opened.read("nope")).hasMessage(file + ": no tensor named 'nope'");
        }
    }

    @Test
    void aFolderIsNotAFile() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("folder.safetensors"));

        assertThatThrownBy(() -> SafetensorsFile.open(folder)).hasMessage(folder + ": not a regular file");
    }

    @Test
    void metadataWithMoreEntriesThanTheLimitIsRefusedAsItIsRead() {
        StringBuilder json = new StringBuilder("{\"__metadata__\": {");
        for (int i = 0; i <= dev.ingot.engine.load.Limits.MAX_METADATA_ENTRIES; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        json.append("}}");
        assertThatThrownBy(() -> SafetensorsHeader.parse("src", ByteBuffer.wrap(json.toString().getBytes())))
                .isInstanceOf(CheckpointException.class)
                .hasMessage("src: __metadata__ holds more than " + dev.ingot.engine.load.Limits.MAX_METADATA_ENTRIES + " entries");
    }

    @Test
    void aDuplicateMetadataKeyIsRefused() {
        assertThatThrownBy(() -> SafetensorsHeader.parse("src", ByteBuffer.wrap("{\"__metadata__\": {\"a\":\"1\",\"a\":\"2\"}}".getBytes())))
                .hasMessageContaining("Duplicate field 'a'");
    }
}
