package dev.ingot.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writer to reader and writer to an independent checker. The F16 and BF16 bit patterns below are
 * taken from the IEEE 754 binary16 and bfloat16 definitions, not produced by our code.
 */
class SafetensorsRoundTripTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    /** 1.0, -2.0, 0.5, 65504 (largest finite half) in IEEE binary16. */
    private static final short[] F16_BITS = {0x3C00, (short) 0xC000, 0x3800, 0x7BFF};
    private static final double[] F16_VALUES = {1.0, -2.0, 0.5, 65504.0};

    /** 1.5, -2.0, 0.15625, 1.0 in bfloat16 (the upper half of the float32 pattern). */
    private static final short[] BF16_BITS = {0x3FC0, (short) 0xC000, 0x3E20, 0x3F80};
    private static final double[] BF16_VALUES = {1.5, -2.0, 0.15625, 1.0};

    private static MemorySegment shorts(short... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) buffer.putShort(v);
        return MemorySegment.ofArray(buffer.array());
    }

    private static MemorySegment floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) buffer.putFloat(v);
        return MemorySegment.ofArray(buffer.array());
    }

    private SafetensorsWriter threeTypes() {
        return new SafetensorsWriter()
                .metadata(Map.of("format", "pt"))
                .add("half", DType.F16, Shape.of(2, 2), shorts(F16_BITS))
                .add("weights", DType.F32, Shape.of(2, 3), floats(1f, -2f, 3.25f, 0f, 1e-3f, -7.5f))
                .add("brain", DType.BF16, Shape.of(4), shorts(BF16_BITS))
                .add("odd", DType.U8, Shape.of(3), MemorySegment.ofArray(new byte[] {7, 8, 9}));
    }

    @Test
    void readerReturnsWhatTheWriterWrote() throws Exception {
        Path file = dir.resolve("three.safetensors");
        SafetensorsWriter writer = threeTypes();
        writer.writeTo(file);

        assertThat(Files.size(file)).isEqualTo(writer.byteSize());
        try (SafetensorsFile opened = SafetensorsFile.open(file)) {
            assertThat(opened.header().metadata()).containsExactly(Map.entry("format", "pt"));
            // widest element type first, insertion order among equals: every tensor lands aligned
            assertThat(opened.tensors()).containsExactly(
                    TensorInfo.of("weights", DType.F32, 2, 3),
                    TensorInfo.of("half", DType.F16, 2, 2),
                    TensorInfo.of("brain", DType.BF16, 4),
                    TensorInfo.of("odd", DType.U8, 3));
            Tensor weights = opened.read("weights");
            assertThat(weights.data().toArray(F32)).containsExactly(1f, -2f, 3.25f, 0f, 1e-3f, -7.5f);
            assertThat(opened.read("half").data().toArray(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)))
                    .containsExactly(F16_BITS);
            assertThat(opened.read("brain").data().toArray(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)))
                    .containsExactly(BF16_BITS);
            assertThat(opened.read("odd").data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(7, 8, 9);
            assertThat(opened.header().dataStart() % 8).isZero();
        }
    }

    @Test
    void anIndependentCheckerAcceptsOurFileAndDecodesTheValues() throws Exception {
        Path file = dir.resolve("three.safetensors");
        threeTypes().writeTo(file);

        JsonNode summary = PythonSafetensorsCheck.check(file);

        assertThat(summary.at("/metadata/format").asText()).isEqualTo("pt");
        JsonNode tensors = summary.get("tensors");
        assertThat(tensors.get("weights").get("shape").toString()).isEqualTo("[2,3]");
        assertThat(values(tensors.get("weights"))).containsExactly(1.0, -2.0, 3.25, 0.0, (double) 1e-3f, -7.5);
        assertThat(values(tensors.get("half"))).containsExactly(F16_VALUES);
        assertThat(values(tensors.get("brain"))).containsExactly(BF16_VALUES);
        assertThat(values(tensors.get("odd"))).containsExactly(7.0, 8.0, 9.0);
    }

    private static double[] values(JsonNode tensor) {
        JsonNode values = tensor.get("values");
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i).asDouble();
        return out;
    }

    @Test
    void aBlobInMemoryIsTheSameBytesAsTheFile() throws Exception {
        Path file = dir.resolve("three.safetensors");
        threeTypes().writeTo(file);

        assertThat(threeTypes().toByteArray()).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void anEmptyFileOfNoTensorsIsValid() throws Exception {
        Path file = dir.resolve("empty.safetensors");
        new SafetensorsWriter().writeTo(file);

        assertThat(PythonSafetensorsCheck.check(file).get("tensors").size()).isZero();
        try (SafetensorsFile opened = SafetensorsFile.open(file)) {
            assertThat(opened.tensors()).isEmpty();
        }
    }

    @Test
    void writerRefusesDuplicatesAndTheReservedName() {
        SafetensorsWriter writer = new SafetensorsWriter().add("a", DType.U8, Shape.of(1), MemorySegment.ofArray(new byte[1]));

        assertThatThrownBy(() -> writer.add("a", DType.U8, Shape.of(1), MemorySegment.ofArray(new byte[1])))
                .hasMessage("tensor 'a' added twice");
        assertThatThrownBy(() -> writer.add("__metadata__", DType.U8, Shape.of(1), MemorySegment.ofArray(new byte[1])))
                .hasMessage("__metadata__ is reserved and cannot name a tensor");
        assertThatThrownBy(() -> writer.add("b", DType.F32, Shape.of(2), MemorySegment.ofArray(new byte[4])))
                .hasMessageContaining("tensor b: 4 bytes of data but F32[2] needs 8");
    }

    @Test
    void sharedStoriesModelReadsWithItsFortySevenTensors() throws Exception {
        try (SafetensorsTensorSource source = SafetensorsTensorSource.open(SharedModels.storiesHf().resolve("model.safetensors"))) {
            List<TensorInfo> tensors = source.list();
            assertThat(tensors).hasSize(47);
            assertThat(tensors.getFirst()).isEqualTo(TensorInfo.of("model.embed_tokens.weight", DType.F32, 512, 64));
            assertThat(source.info("model.layers.4.mlp.down_proj.weight")).contains(
                    TensorInfo.of("model.layers.4.mlp.down_proj.weight", DType.F32, 64, 172));

            // The embedding is not permuted by the HF conversion, so it must equal llama2.c's token
            // embedding table, which follows the 7-int header of stories260K.bin.
            byte[] llama2c = Files.readAllBytes(SharedModels.storiesBin());
            MemorySegment expected = MemorySegment.ofArray(llama2c).asSlice(7 * 4, 512L * 64 * 4);
            MemorySegment embedding = source.read("model.embed_tokens.weight").data();
            assertThat(embedding.mismatch(expected)).isEqualTo(-1L);
        }
    }

    @Test
    void theCheckerItselfAcceptsTheReferenceFileAndRefusesABrokenOne() throws Exception {
        Path reference = SharedModels.storiesHf().resolve("model.safetensors");
        assertThat(PythonSafetensorsCheck.check(reference).get("tensors").size()).isEqualTo(47);

        String hole = "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
        Path broken = RawSafetensors.write(dir, "hole.safetensors", RawSafetensors.blob(hole + " ".repeat(8 - hole.length() % 8), 2));
        assertThatThrownBy(() -> PythonSafetensorsCheck.check(broken)).hasMessageContaining("gap or overlap");
    }

    @Test
    void everyDTypeSafetensorsCanHoldIsWrittenAndParsed() throws Exception {
        // GGML's block-quantized types are DTypes too, but safetensors has no name for them
        DType[] plain = java.util.Arrays.stream(DType.values()).filter(t -> !t.isQuantized()).toArray(DType[]::new);
        assertThat(plain).contains(DType.F8_E4M3, DType.F8_E5M2).doesNotContain(DType.Q8_0);
        SafetensorsWriter writer = new SafetensorsWriter();
        for (DType type : plain) {
            writer.add(type.name().toLowerCase(), type, Shape.of(2), MemorySegment.ofArray(new byte[2 * type.byteSize()]));
        }
        Path file = dir.resolve("all.safetensors");
        writer.writeTo(file);

        assertThat(PythonSafetensorsCheck.check(file).get("tensors").size()).isEqualTo(plain.length);
        try (SafetensorsFile opened = SafetensorsFile.open(file)) {
            assertThat(opened.tensors()).extracting(TensorInfo::dtype).containsExactlyInAnyOrder(plain);
        }
    }
}
