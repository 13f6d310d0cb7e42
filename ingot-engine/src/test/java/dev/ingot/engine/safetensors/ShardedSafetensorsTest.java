package dev.ingot.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {

    @TempDir
    Path dir;

    /** Five U8 tensors of 40, 30, 50, 10 and 70 bytes, each filled with its index. */
    private static List<Tensor> tensors() {
        int[] sizes = {40, 30, 50, 10, 70};
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] bytes = new byte[sizes[i]];
            java.util.Arrays.fill(bytes, (byte) i);
            tensors.add(new Tensor(TensorInfo.of("t" + i, DType.U8, sizes[i]), MemorySegment.ofArray(bytes)));
        }
        return tensors;
    }

    @Test
    void splitsByMaxBytesWritesAnIndexAndReadsBack() throws Exception {
        List<Path> written = new ShardedSafetensorsWriter(80, Map.of("format", "pt")).write(dir, tensors());

        // 40+30 | 50+10 | 70: a shard closes when the next tensor would push it past 80 bytes
        assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly(
                "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                "model-00003-of-00003.safetensors", "model.safetensors.index.json");
        JsonNode index = new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());
        assertThat(index.at("/metadata/total_size").asLong()).isEqualTo(200);
        assertThat(index.at("/weight_map/t3").asText()).isEqualTo("model-00002-of-00003.safetensors");
        for (Path shard : written.subList(0, 3)) {
            assertThat(PythonSafetensorsCheck.check(shard).at("/metadata/format").asText()).isEqualTo("pt");
        }

        try (SafetensorsTensorSource source = SafetensorsTensorSource.open(dir.resolve("model.safetensors.index.json"))) {
            assertThat(source.files()).hasSize(3);
            assertThat(source.list()).extracting(TensorInfo::name).containsExactly("t0", "t1", "t2", "t3", "t4");
            for (int i = 0; i < 5; i++) {
                byte[] bytes = source.read("t" + i).data().toArray(ValueLayout.JAVA_BYTE);
                assertThat(bytes).hasSize(new int[] {40, 30, 50, 10, 70}[i]).containsOnly((byte) i);
            }
        }
    }

    @Test
    void aTensorLargerThanAShardGetsItsOwn() throws Exception {
        List<Path> written = new ShardedSafetensorsWriter(20, Map.of()).write(dir, tensors().subList(0, 2));

        assertThat(written).hasSize(3);
    }

    private Path index(String weightMapJson) throws IOException {
        Path file = dir.resolve("model.safetensors.index.json");
        Files.writeString(file, "{\"metadata\": {}, \"weight_map\": " + weightMapJson + "}");
        return file;
    }

    private void shard(String name, String... tensorNames) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        for (String tensor : tensorNames) {
            writer.add(tensor, DType.U8, dev.ingot.spi.tensor.Shape.of(1), MemorySegment.ofArray(new byte[1]));
        }
        writer.writeTo(dir.resolve(name));
    }

    @Test
    void aMissingShardFileIsNamed() throws IOException {
        shard("s1.safetensors", "a");
        Path index = index("{\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"}");

        assertThatThrownBy(() -> SafetensorsTensorSource.open(index)).hasMessage(index
                + ": shard 's2.safetensors' named in weight_map does not exist in " + dir.toAbsolutePath());
    }

    @Test
    void aTensorInTwoShardsIsRefused() throws IOException {
        shard("s1.safetensors", "a", "b");
        shard("s2.safetensors", "a", "c");
        Path index = index("{\"a\": \"s1.safetensors\", \"b\": \"s1.safetensors\", \"c\": \"s2.safetensors\"}");

        assertThatThrownBy(() -> SafetensorsTensorSource.open(index))
                .hasMessage(index + ": tensor 'a' appears in two shards: s1.safetensors and s2.safetensors");
    }

    @Test
    void aListedTensorAbsentFromItsShardIsRefused() throws IOException {
        shard("s1.safetensors", "a");
        Path index = index("{\"a\": \"s1.safetensors\", \"ghost\": \"s1.safetensors\"}");

        assertThatThrownBy(() -> SafetensorsTensorSource.open(index))
                .hasMessage(index + ": weight_map places tensor 'ghost' in shard s1.safetensors, which has no such tensor");
    }

    @Test
    void aShardTensorTheIndexDoesNotListIsRefused() throws IOException {
        shard("s1.safetensors", "a", "stray");
        Path index = index("{\"a\": \"s1.safetensors\"}");

        assertThatThrownBy(() -> SafetensorsTensorSource.open(index))
                .hasMessage(index + ": tensor 'stray' in shard s1.safetensors is missing from weight_map");
    }

    @Test
    void aTensorInTheWrongShardIsRefused() throws IOException {
        shard("s1.safetensors", "a", "b");
        shard("s2.safetensors", "c");
        Path index = index("{\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\", \"c\": \"s2.safetensors\"}");

        assertThatThrownBy(() -> SafetensorsTensorSource.open(index))
                .hasMessage(index + ": tensor 'b' is in shard s1.safetensors but weight_map places it in s2.safetensors");
    }

    @Test
    void aShardNameThatLeavesTheFolderIsRefused() throws IOException {
        Path index = index("{\"a\": \"../elsewhere.safetensors\"}");

        assertThatThrownBy(() -> SafetensorsTensorSource.open(index)).hasMessage(index
                + ": weight_map entry for tensor 'a' names '../elsewhere.safetensors', which is not a file name in the index's folder");
    }

    @Test
    void malformedIndexesAreRefused() throws IOException {
        Path index = index("[\"a\"]");
        assertThatThrownBy(() -> SafetensorsTensorSource.open(index)).hasMessage(index
                + ": \"weight_map\" must be an object of tensor name to shard file, got an array");

        Files.writeString(index, "{\"weight_map\": {\"a\": \"s1\", \"a\": \"s2\"}}");
        assertThatThrownBy(() -> SafetensorsTensorSource.open(index))
                .hasMessageStartingWith(index + ": not well-formed JSON: Duplicate field 'a'");

        Files.writeString(index, "{\"weight_map\": {\"a\": 1}}");
        assertThatThrownBy(() -> SafetensorsTensorSource.open(index))
                .hasMessage(index + ": weight_map entry for tensor 'a' must be a file name string, got an integer");

        Files.writeString(index, "{\"weight_map\": {}}");
        assertThatThrownBy(() -> SafetensorsTensorSource.open(index)).hasMessage(index + ": weight_map lists no tensors");
    }
}
