package dev.ingot.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The live-update wire format: a safetensors blob parsed from a stream, without a file. */
class SafetensorsStreamTest {

    private static final String SOURCE = "bucket 3 of update v7";

    private static byte[] bucket() {
        return new SafetensorsWriter()
                .add("b", DType.U8, Shape.of(3), MemorySegment.ofArray(new byte[] {4, 5, 6}))
                .add("a", DType.I32, Shape.of(2), MemorySegment.ofArray(new byte[] {1, 0, 0, 0, 2, 0, 0, 0}))
                .toByteArray();
    }

    private static ReadableByteChannel channel(byte[] bytes) {
        return Channels.newChannel(new ByteArrayInputStream(bytes));
    }

    @Test
    void headerAloneComesFromAChannelWithEntriesInOffsetOrder() throws IOException {
        byte[] blob = bucket();
        SafetensorsHeader header = SafetensorsHeader.read(channel(blob), SOURCE, 1 << 20);

        assertThat(header.entries()).extracting(SafetensorsEntry::name).containsExactly("a", "b");
        assertThat(header.entries()).extracting(SafetensorsEntry::begin).containsExactly(0L, 8L);
        assertThat(header.totalSize()).isEqualTo(blob.length);
        header.requireDataSize(11);
        assertThatThrownBy(() -> header.requireDataSize(10)).hasMessage(SOURCE
                + ": truncated: tensor 'b' ends at data byte 11 but the data area holds only 10 bytes");
    }

    @Test
    void tensorsStreamInOrderAndTheEndIsChecked() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsStream stream = SafetensorsStream.open(channel(bucket()), SOURCE, 1 << 20);
            Tensor a = stream.next(arena);
            Tensor b = stream.next(arena);

            assertThat(a.name()).isEqualTo("a");
            assertThat(a.data().toArray(ValueLayout.JAVA_INT_UNALIGNED)).containsExactly(1, 2);
            assertThat(b.data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(4, 5, 6);
            assertThat(stream.hasNext()).isFalse();
            stream.requireEnd();
        }
    }

    @Test
    void aStreamCutInsideATensorSaysWhich() throws IOException {
        byte[] blob = bucket();
        byte[] cut = Arrays.copyOf(blob, blob.length - 2);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsStream stream = SafetensorsStream.open(channel(cut), SOURCE, 1 << 20);
            stream.next(arena);

            assertThatThrownBy(() -> stream.next(arena)).isInstanceOf(CheckpointException.class).hasMessage(SOURCE
                    + ": truncated: tensor 'b' needs 3 bytes at data offset 8 but the stream ends after 1");
        }
    }

    @Test
    void bytesAfterTheLastTensorAreRefused() throws IOException {
        byte[] blob = Arrays.copyOf(bucket(), bucket().length + 1);
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsStream stream = SafetensorsStream.open(channel(blob), SOURCE, 1 << 20);
            stream.next(arena);
            stream.next(arena);

            assertThatThrownBy(stream::requireEnd).hasMessage(SOURCE
                    + ": bytes follow the last tensor (data area must end with it, at 11 bytes)");
        }
    }

    @Test
    void aStreamCutInsideTheHeaderOrItsLengthSaysSo() {
        byte[] blob = bucket();

        assertThatThrownBy(() -> SafetensorsHeader.read(channel(Arrays.copyOf(blob, 3)), SOURCE, 1 << 20))
                .hasMessage(SOURCE + ": truncated: 3 bytes, but safetensors data starts with an 8-byte header length");
        assertThatThrownBy(() -> SafetensorsHeader.read(channel(Arrays.copyOf(blob, 20)), SOURCE, 1 << 20))
                .hasMessageStartingWith(SOURCE + ": truncated: the header is ").hasMessageEndingWith(" but the data ends after 12");
    }

    @Test
    void theCallersHeaderLimitApplies() {
        assertThatThrownBy(() -> SafetensorsHeader.read(channel(bucket()), SOURCE, 16))
                .hasMessageStartingWith(SOURCE + ": header length ").hasMessageEndingWith(" is over the limit of 16 bytes");
    }

    @Test
    void headerRulesApplyToStreamsToo() {
        byte[] blob = RawSafetensors.blob("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);

        assertThatThrownBy(() -> SafetensorsHeader.read(channel(blob), SOURCE, 1 << 20))
                .hasMessageStartingWith(SOURCE + ": tensor 'a': unknown dtype 'Q4'");
    }
}
