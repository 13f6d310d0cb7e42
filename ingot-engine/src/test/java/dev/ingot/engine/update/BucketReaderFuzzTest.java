package dev.ingot.engine.update;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ingot.engine.testing.FuzzContract;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import java.io.ByteArrayInputStream;
import java.lang.foreign.Arena;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * Fuzz target: an update bucket (a safetensors blob sent over HTTP) received into a PARTIAL update of a
 * tiny model, then committed when it was accepted, as {@code POST /v1/weights/updates/{id}/buckets} and
 * {@code .../commit} do. An even-length input declares its Content-Length, an odd one streams. Only
 * {@link UpdateRejectedException}s (bucket dropped, update rejected, conflict) may come out.
 */
class BucketReaderFuzzTest {

    private static final Arena ARENA = Arena.ofShared();
    private static final UpdateManager UPDATES = new UpdateManager(TinyWeights.store(1, ARENA, null), "hf",
            (format, spec) -> WeightMapper.identity(), UpdateLimits.defaults().withIdleTimeout(Duration.ofMinutes(10)), g -> {});
    private static long version = 1;

    @FuzzTest(maxDuration = "3s")
    void bucket(byte[] data) {
        FuzzContract.check(() -> {
            StagedUpdate update = UPDATES.begin(new UpdateRequest(++version, UpdateMode.PARTIAL, "hf", "fuzz", SwapPolicy.FINISH, true));
            try {
                OptionalLong declared = data.length % 2 == 0 ? OptionalLong.of(data.length) : OptionalLong.empty();
                BucketReader.receive(update, OptionalLong.of(0), Channels.newChannel(new ByteArrayInputStream(data)), declared,
                        UPDATES.limits());
                update.commit();
            } finally {
                update.abort("fuzz input done");
            }
        }, UpdateRejectedException.class);
    }
}
