package dev.ingot.actor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketsTest {

    private static Tensor bytes(Arena arena, String name, int size) {
        return new Tensor(TensorInfo.of(name, DType.U8, size), arena.allocate(size));
    }

    private static List<List<String>> group(List<Tensor> tensors, long bucketBytes) {
        List<List<String>> out = new ArrayList<>();
        new Buckets(tensors.iterator(), bucketBytes).forEachRemaining(b -> out.add(b.stream().map(Tensor::name).toList()));
        return out;
    }

    @Test
    void fillsBucketsInOrderUpToTheLimitAndSendsAnOversizedTensorAlone() {
        try (Arena arena = Arena.ofConfined()) {
            List<Tensor> tensors = List.of(bytes(arena, "a", 40), bytes(arena, "b", 60), bytes(arena, "c", 1),
                    bytes(arena, "huge", 250), bytes(arena, "d", 99), bytes(arena, "e", 1));
            assertThat(group(tensors, 100)).containsExactly(List.of("a", "b"), List.of("c"), List.of("huge"), List.of("d", "e"));
            assertThat(group(tensors, 1000)).containsExactly(List.of("a", "b", "c", "huge", "d", "e"));
            assertThat(group(tensors, 1)).hasSize(6);
            assertThat(group(List.of(), 100)).isEmpty();
        }
    }
}
