package dev.ingot.engine.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.MappedTensor;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code EngineServices.mapped}: a format's own header says where tensors are; the engine checks it against the file. */
class MappedFileTensorSourceTest {

    @TempDir
    Path dir;

    Path file;

    /** 64 bytes: the floats 0, 1, ..., 15. */
    @BeforeEach
    void file() throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
            bytes.putFloat(i);
        }
        file = Files.write(dir.resolve("model.bin"), bytes.array());
    }

    private static MappedTensor entry(String name, long elements, long offset) {
        return new MappedTensor(TensorInfo.of(name, DType.F32, elements), offset);
    }

    @Test
    void servesTheListedTensorsFromTheirOffsets() throws IOException {
        try (TensorSource source = new Services().mapped(file, List.of(entry("a", 4, 0), entry("b", 2, 56)))) {
            assertThat(source.list()).extracting(TensorInfo::name).containsExactly("a", "b");
            Tensor b = source.read("b");
            assertThat(b.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 0)).isEqualTo(14f);
            assertThat(b.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 1)).isEqualTo(15f);
            assertThatThrownBy(() -> source.read("c")).hasMessage(file + ": no tensor named 'c'");
        }
    }

    @Test
    void anEntryBeyondTheEndOfTheFileIsRefused() {
        assertThatThrownBy(() -> new Services().mapped(file, List.of(entry("a", 4, 0), entry("tail", 2, 60))))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": tensor 'tail' needs bytes [60, 68) but the file has 64 (truncated?)");
        assertThatThrownBy(() -> new Services().mapped(file, List.of(entry("far", 1, 1000))))
                .hasMessage(file + ": tensor 'far' needs bytes [1000, 1004) but the file has 64 (truncated?)");
    }

    @Test
    void overlappingEntriesAreRefused() {
        assertThatThrownBy(() -> new Services().mapped(file, List.of(entry("b", 4, 8), entry("a", 4, 0))))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": tensors 'a' and 'b' overlap");
    }

    @Test
    void aNameListedTwiceIsRefused() {
        assertThatThrownBy(() -> new Services().mapped(file, List.of(entry("a", 4, 0), entry("a", 4, 32))))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": tensor 'a' is listed twice");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("missing.bin");
        assertThatThrownBy(() -> new Services().mapped(missing, List.of())).hasMessage(missing + ": no such file");
    }
}
