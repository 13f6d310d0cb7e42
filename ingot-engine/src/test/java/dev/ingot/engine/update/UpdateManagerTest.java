package dev.ingot.engine.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import java.io.ByteArrayInputStream;
import java.lang.foreign.Arena;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpdateManagerTest {

    private static final String Q = HfNames.q(0);
    /** A format whose names are canonical ones with a "t:" prefix and whose matrices arrive transposed. */
    private static final WeightMapper TRANSPOSED = info -> info.name().startsWith("t:")
            ? TensorMapping.to(info.name().substring(2), new TensorOp.Transpose())
            : TensorMapping.unknown("names start with t:");

    private final Arena arena = Arena.ofShared();
    private final Arena inputs = Arena.ofShared();
    private final List<SwapPolicy> swaps = new CopyOnWriteArrayList<>();
    private WeightStore store;
    private UpdateManager updates;

    private void start(String bf16Name, Duration idle) {
        store = TinyWeights.store(1, arena, bf16Name);
        store.onSwap((previous, next, policy) -> swaps.add(policy));
        MapperSource mappers = (format, spec) -> switch (format) {
            case "hf" -> WeightMapper.identity();
            case "transposed" -> TRANSPOSED;
            default -> throw new UpdateRejectedException("unknown format '" + format + "'; known formats: hf, transposed");
        };
        updates = new UpdateManager(store, "hf", mappers, UpdateLimits.defaults().withIdleTimeout(idle), g -> {});
    }

    private void start() {
        start(null, Duration.ofMinutes(1));
    }

    @AfterEach
    void close() {
        updates.close();
        inputs.close();
    }

    private static UpdateRequest request(long version, UpdateMode mode) {
        return new UpdateRequest(version, mode, "hf", "step " + version, SwapPolicy.FINISH, false);
    }

    private float[] served(String name) {
        WeightGeneration g = store.acquire();
        try {
            return TinyWeights.floats(g.tensor(name));
        } finally {
            g.unpin();
        }
    }

    private float[] expected(float base, String name) {
        Map<String, Tensor> t = TinyWeights.tensors(inputs, base, null);
        return TinyWeights.floats(t.get(name));
    }

    @Test
    void fullUpdateReplacesEveryTensorAndTheVersionAndReleasesTheOldGenerationAfterItsLastReader() throws Exception {
        start();
        WeightGeneration old = store.acquire();
        CommitResult result;
        try (StagedUpdate update = updates.begin(request(5, UpdateMode.FULL))) {
            for (Tensor t : TinyWeights.tensors(inputs, 100f, null).values()) {
                update.put(t);
            }
            result = update.commit();
        }
        assertThat(result.version()).isEqualTo(5);
        assertThat(result.label()).isEqualTo("step 5");
        assertThat(result.tensors()).isEqualTo(TinyWeights.shapes().size());
        assertThat(updates.currentVersion()).isEqualTo(5);
        assertThat(swaps).containsExactly(SwapPolicy.FINISH);
        for (String name : TinyWeights.shapes().keySet()) {
            assertThat(served(name)).as(name).containsExactly(expected(100f, name));
        }
        // The reader that pinned version 1 before the swap still sees it, whole, until it lets go.
        assertThat(old.isReleased()).isFalse();
        assertThat(TinyWeights.floats(old.tensor(Q))).containsExactly(expected(0f, Q));
        old.unpin();
        assertThat(old.isReleased()).isTrue();
        awaitClosed(arena);
        assertThat(updates.served().label()).isEqualTo("step 5");
    }

    @Test
    void partialUpdateChangesOnlyTheTensorItSendsAndKeepsSharingTheRest() throws Exception {
        start();
        WeightGeneration before = store.acquire();
        Tensor unchanged = before.tensor(HfNames.down(0));
        before.unpin();
        try (StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL))) {
            update.put(TinyWeights.tensors(inputs, 7f, null).get(Q));
            update.commit();
        }
        assertThat(served(Q)).containsExactly(expected(7f, Q));
        WeightGeneration after = store.acquire();
        try {
            assertThat(after.tensors()).hasSameSizeAs(TinyWeights.shapes());
            assertThat(after.tensor(HfNames.down(0)).data().address()).as("shared, not copied")
                    .isEqualTo(unchanged.data().address());
        } finally {
            after.unpin();
        }
        assertThat(arena.scope().isAlive()).as("the unchanged tensors still live in the first load's memory").isTrue();
        for (String name : TinyWeights.shapes().keySet()) {
            if (!name.equals(Q)) {
                assertThat(served(name)).as(name).containsExactly(expected(0f, name));
            }
        }
    }

    @Test
    void aPartialUpdateThatReplacesWhatAnEarlierPartialUpdateStagedLetsThatMemoryGo() throws Exception {
        start();
        List<Arena> first;
        try (StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL))) {
            update.put(TinyWeights.tensors(inputs, 7f, null).get(Q));
            first = update.arenasForCommit();
            update.commit();
        }
        try (StagedUpdate update = updates.begin(request(3, UpdateMode.PARTIAL))) {
            update.put(TinyWeights.tensors(inputs, 9f, null).get(Q));
            update.commit();
        }
        assertThat(served(Q)).containsExactly(expected(9f, Q));
        assertThat(first).hasSize(1);
        awaitClosed(first.getFirst());
        assertThat(arena.scope().isAlive()).isTrue();
    }

    @Test
    void tensorsAreStoredInTheTypeTheyAreServedIn() throws Exception {
        start(Q, Duration.ofMinutes(1));
        Tensor q = new Tensor(TensorInfo.of(Q, DType.F32, 4, 4), inputs.allocate(64, 8));
        // 1.0 is 0x3F80 in BF16; 1 + 2^-8 lies halfway between 1.0 and 1 + 2^-7 and rounds to even (1.0);
        // 1 + 3 * 2^-9 rounds up to 1 + 2^-7 (0x3F81).
        q.data().setAtIndex(TinyWeights.F32, 0, 1.0f);
        q.data().setAtIndex(TinyWeights.F32, 1, 1.0f + 0x1p-8f);
        q.data().setAtIndex(TinyWeights.F32, 2, 1.0f + 3 * 0x1p-9f);
        try (StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL))) {
            update.put(q);
            update.commit();
        }
        WeightGeneration g = store.acquire();
        try {
            Tensor stored = g.tensor(Q);
            assertThat(stored.info().dtype()).isEqualTo(DType.BF16);
            assertThat(stored.data().getAtIndex(TinyWeights.U16, 0)).isEqualTo((short) 0x3F80);
            assertThat(stored.data().getAtIndex(TinyWeights.U16, 1)).isEqualTo((short) 0x3F80);
            assertThat(stored.data().getAtIndex(TinyWeights.U16, 2)).isEqualTo((short) 0x3F81);
        } finally {
            g.unpin();
        }
    }

    @Test
    void nativeNamesGoThroughTheFormatsMapper() throws Exception {
        start();
        Tensor canonical = TinyWeights.tensors(inputs, 3f, null).get(HfNames.gate(0)); // [6, 4]
        float[] want = TinyWeights.floats(canonical);
        Tensor transposed = new Tensor(TensorInfo.of("t:" + HfNames.gate(0), DType.F32, 4, 6), inputs.allocate(96, 8));
        for (int r = 0; r < 6; r++) {
            for (int c = 0; c < 4; c++) {
                transposed.data().setAtIndex(TinyWeights.F32, c * 6L + r, want[r * 4 + c]);
            }
        }
        try (StagedUpdate update = updates.begin(new UpdateRequest(2, UpdateMode.PARTIAL, "transposed", "", SwapPolicy.PAUSE,
                false))) {
            update.put(transposed);
            update.commit();
        }
        assertThat(served(HfNames.gate(0))).containsExactly(want);
        assertThat(swaps).containsExactly(SwapPolicy.PAUSE);
    }

    @Test
    void aWrongShapeRejectsTheWholeUpdateNamingTheTensor() throws Exception {
        start();
        StagedUpdate update = updates.begin(request(2, UpdateMode.FULL));
        update.put(TinyWeights.tensors(inputs, 5f, null).get(HfNames.EMBED));
        Tensor wrong = TinyWeights.filled(inputs, TensorInfo.of(Q, DType.F32, 4, 3), 1f, 0);
        assertThatThrownBy(() -> update.put(wrong)).isInstanceOf(UpdateRejectedException.class)
                .hasMessageContaining("'" + Q + "' has shape [4, 3] but the model needs [4, 4]")
                .hasMessageContaining("the served weights are unchanged");
        assertThatThrownBy(update::commit).isInstanceOf(UpdateConflictException.class).hasMessageContaining("aborted");
        assertUnchanged();
    }

    @Test
    void anUnknownNameRejectsTheUpdate() throws Exception {
        start();
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        Tensor stray = TinyWeights.filled(inputs, TensorInfo.of("model.layers.7.mlp.up_proj.weight", DType.F32, 6, 4), 1f, 0);
        assertThatThrownBy(() -> update.put(stray))
                .hasMessageContaining("'model.layers.7.mlp.up_proj.weight', which is not a weight of this model");
        assertUnchanged();
    }

    @Test
    void aFullUpdateMissingATensorIsRejectedAtCommitListingWhatIsMissing() throws Exception {
        start();
        StagedUpdate update = updates.begin(request(2, UpdateMode.FULL));
        for (Tensor t : TinyWeights.tensors(inputs, 5f, null).values()) {
            if (!t.name().equals(HfNames.FINAL_NORM)) {
                update.put(t);
            }
        }
        assertThatThrownBy(update::commit).isInstanceOf(UpdateRejectedException.class)
                .hasMessageContaining("is missing 1 weight(s): " + HfNames.FINAL_NORM);
        assertThat(update.arenasForCommit()).isEmpty();
        assertUnchanged();
        assertThat(updates.openUpdates()).isEmpty();
    }

    @Test
    void aTensorSentTwiceRejectsTheUpdate() throws Exception {
        start();
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        Tensor q = TinyWeights.tensors(inputs, 5f, null).get(Q);
        update.put(q);
        assertThatThrownBy(() -> update.put(q)).hasMessageContaining("tensor '" + Q + "' was sent twice");
        assertUnchanged();
    }

    @Test
    void versionsMustIncreaseAtBeginAndAgainAtCommitUnlessForced() throws Exception {
        start();
        assertThatThrownBy(() -> updates.begin(request(1, UpdateMode.PARTIAL))).isInstanceOf(UpdateConflictException.class)
                .hasMessage("version 1 is not above the served version 1 (versions must increase; set force to replace it anyway)");
        StagedUpdate a = updates.begin(request(3, UpdateMode.PARTIAL));
        StagedUpdate b = updates.begin(request(3, UpdateMode.PARTIAL));
        a.put(TinyWeights.tensors(inputs, 5f, null).get(Q));
        b.put(TinyWeights.tensors(inputs, 6f, null).get(Q));
        a.commit();
        assertThatThrownBy(b::commit).isInstanceOf(UpdateConflictException.class)
                .hasMessageContaining("version 3 is not above the served version 3");
        assertThat(served(Q)).containsExactly(expected(5f, Q));
        try (StagedUpdate forced = updates.begin(new UpdateRequest(1, UpdateMode.PARTIAL, "hf", "", SwapPolicy.ABORT, true))) {
            forced.put(TinyWeights.tensors(inputs, 8f, null).get(Q));
            forced.commit();
        }
        assertThat(updates.currentVersion()).isEqualTo(1);
        assertThat(served(Q)).containsExactly(expected(8f, Q));
    }

    @Test
    void theNumberOfOpenUpdatesIsBounded() throws Exception {
        start();
        List<StagedUpdate> open = new ArrayList<>();
        for (int i = 0; i < UpdateLimits.DEFAULT_MAX_OPEN_UPDATES; i++) {
            open.add(updates.begin(request(2, UpdateMode.PARTIAL)));
        }
        assertThatThrownBy(() -> updates.begin(request(2, UpdateMode.PARTIAL))).isInstanceOf(UpdateConflictException.class)
                .hasMessage("4 updates are open already, the most this server allows; commit or abort one first");
        open.getFirst().abort("make room");
        updates.begin(request(2, UpdateMode.PARTIAL)).abort("done");
    }

    @Test
    void anUnknownFormatIsRefusedAtBegin() {
        start();
        assertThatThrownBy(() -> updates.begin(new UpdateRequest(2, UpdateMode.FULL, "gguf", "", SwapPolicy.FINISH, false)))
                .hasMessage("unknown format 'gguf'; known formats: hf, transposed");
    }

    @Test
    void anIdleUpdateIsAbortedAndItsMemoryFreed() throws Exception {
        start(null, Duration.ofMillis(150));
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        update.put(TinyWeights.tensors(inputs, 5f, null).get(Q));
        List<Arena> staged = new ArrayList<>(update.arenasForCommit());
        assertThat(staged).singleElement().satisfies(a -> assertThat(a.scope().isAlive()).isTrue());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!updates.openUpdates().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(updates.openUpdates()).isEmpty();
        assertThat(staged.getFirst().scope().isAlive()).isFalse();
        assertThatThrownBy(() -> updates.session(update.id())).isInstanceOf(UpdateConflictException.class)
                .hasMessageContaining("no activity for 150 ms; aborted and its memory freed");
        assertThatThrownBy(update::commit).hasMessageContaining("aborted");
        assertUnchanged();
    }

    @Test
    void anUnknownIdIsReportedAsSuch() {
        start();
        assertThatThrownBy(() -> updates.session("upd-nothing")).isInstanceOf(UnknownUpdateException.class)
                .hasMessage("no weight update with id 'upd-nothing' is open");
    }

    // --- buckets ---

    private BucketReceipt send(StagedUpdate update, OptionalLong seq, byte[] blob) throws UpdateRejectedException {
        return BucketReader.receive(update, seq, Channels.newChannel(new ByteArrayInputStream(blob)), OptionalLong.of(blob.length),
                UpdateLimits.defaults());
    }

    @Test
    void aBucketCarriesAnyNumberOfTensorsWithChecksums() throws Exception {
        start();
        Map<String, Tensor> all = TinyWeights.tensors(inputs, 40f, null);
        List<Tensor> tensors = new ArrayList<>(all.values());
        StagedUpdate update = updates.begin(request(2, UpdateMode.FULL));
        List<Tensor> first = tensors.subList(0, 3);
        List<Tensor> rest = tensors.subList(3, tensors.size());
        BucketReceipt receipt = send(update, OptionalLong.of(0), TestBlobs.blob(first, Map.of("crc32:" + first.get(1).name(),
                TestBlobs.crc(first.get(1)))));
        assertThat(receipt.tensors()).isEqualTo(3);
        assertThat(receipt.bytes()).isEqualTo(first.stream().mapToLong(t -> t.info().byteSize()).sum());
        send(update, OptionalLong.of(1), TestBlobs.blob(rest, Map.of()));
        update.commit();
        for (String name : all.keySet()) {
            assertThat(served(name)).as(name).containsExactly(TinyWeights.floats(all.get(name)));
        }
    }

    @Test
    void aChecksumMismatchDropsOnlyItsBucketAndTheResentBucketCompletesTheUpdate() throws Exception {
        start();
        Map<String, Tensor> all = TinyWeights.tensors(inputs, 40f, null);
        Tensor q = all.get(Q);
        Tensor k = all.get(HfNames.k(0));
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        // k arrives whole and good before q fails its checksum: the bucket is dropped as a whole.
        byte[] corrupted = TestBlobs.blob(List.of(k, q), Map.of("crc32:" + Q, "0badc0de"));
        assertThatThrownBy(() -> send(update, OptionalLong.of(3), corrupted))
                .isInstanceOfSatisfying(BucketRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(BucketRejectedException.Reason.CORRUPTED))
                .hasMessageContaining("bucket seq 3 of update " + update.id() + ": tensor '" + Q + "' arrived with CRC32 "
                        + TestBlobs.crc(q) + " but the sender declared 0badc0de; the bucket is dropped, the update stays open");
        assertThat(update.stagedNames()).as("the good tensor before the corrupted one is dropped with its bucket").isEmpty();
        assertUnchanged();
        send(update, OptionalLong.of(3), TestBlobs.blob(List.of(k, q), Map.of("crc32:" + Q, TestBlobs.crc(q))));
        update.commit();
        assertThat(served(Q)).containsExactly(TinyWeights.floats(q));
        assertThat(served(HfNames.k(0))).containsExactly(TinyWeights.floats(k));
    }

    @Test
    void anUpdateForgivesEightCorruptedBucketsAndRejectsTheNinthWithTheServedWeightsUnchanged() throws Exception {
        start();
        Tensor q = TinyWeights.tensors(inputs, 40f, null).get(Q);
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        byte[] corrupted = TestBlobs.blob(List.of(q), Map.of("crc32:" + Q, "0badc0de"));
        for (int i = 0; i < 8; i++) {
            assertThatThrownBy(() -> send(update, OptionalLong.of(0), corrupted)).as("corrupted bucket %d", i + 1)
                    .isInstanceOf(BucketRejectedException.class);
        }
        assertThatThrownBy(() -> send(update, OptionalLong.of(0), corrupted))
                .isNotInstanceOf(BucketRejectedException.class)
                .hasMessageContaining("the 9th corrupted bucket of this update (at most 8 are resent)")
                .hasMessageContaining("the served weights are unchanged");
        assertThat(updates.openUpdates()).as("the update has ended").isEmpty();
        assertUnchanged();
    }

    @Test
    void aCutOffBucketIsDroppedButTheUpdateStaysOpenForARetryWithTheSameSeq() throws Exception {
        start();
        Map<String, Tensor> all = TinyWeights.tensors(inputs, 40f, null);
        Tensor q = all.get(Q);
        Tensor k = all.get(HfNames.k(0));
        byte[] blob = TestBlobs.blob(List.of(q, k), Map.of());
        byte[] cut = java.util.Arrays.copyOf(blob, blob.length - 10);
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        assertThatThrownBy(() -> BucketReader.receive(update, OptionalLong.of(4), Channels.newChannel(new ByteArrayInputStream(cut)),
                OptionalLong.empty(), UpdateLimits.defaults())).isInstanceOf(BucketRejectedException.class)
                .hasMessageContaining("bucket seq 4 of update " + update.id() + " was cut off in tensor '" + HfNames.k(0)
                        + "': the data ended after 22 of its 32 bytes; the bucket is dropped, the update stays open");
        assertThat(update.stagedNames()).as("the complete first tensor of the cut bucket is dropped too").isEmpty();
        send(update, OptionalLong.of(4), blob);
        update.commit();
        assertThat(served(Q)).containsExactly(TinyWeights.floats(q));
        assertThat(served(HfNames.k(0))).containsExactly(TinyWeights.floats(k));
    }

    @Test
    void aBucketSentAgainUnderTheSameSeqReplacesTheEarlierOne() throws Exception {
        start();
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        send(update, OptionalLong.of(0), TestBlobs.blob(List.of(TinyWeights.tensors(inputs, 1f, null).get(Q)), Map.of()));
        Tensor second = TinyWeights.tensors(inputs, 2f, null).get(Q);
        send(update, OptionalLong.of(0), TestBlobs.blob(List.of(second), Map.of()));
        List<Arena> arenas = update.arenasForCommit();
        assertThat(arenas).hasSize(1);
        update.commit();
        assertThat(served(Q)).containsExactly(TinyWeights.floats(second));
    }

    @Test
    void aTensorClaimedByABucketStillInFlightCannotComeInAnotherOne() throws Exception {
        start();
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        Tensor q = TinyWeights.tensors(inputs, 5f, null).get(Q);
        try (StagedUpdate.Bucket first = update.openBucket(OptionalLong.of(0));
                StagedUpdate.Bucket second = update.openBucket(OptionalLong.of(1))) {
            assertThat(update.bucketsReceiving()).isEqualTo(2);
            first.put(q);
            assertThatThrownBy(() -> second.put(q)).hasMessageContaining("tensor '" + Q + "' was sent twice");
        }
        assertThat(update.bucketsReceiving()).isZero();
        assertUnchanged();
    }

    @Test
    void aCommitWaitsForTheBucketsInFlightAndTakesTheirTensors() throws Exception {
        start();
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        Tensor q = TinyWeights.tensors(inputs, 6f, null).get(Q);
        StagedUpdate.Bucket inFlight = update.openBucket(OptionalLong.of(0));
        inFlight.put(q);
        java.util.concurrent.CompletableFuture<CommitResult> commit = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return update.commit();
            } catch (UpdateRejectedException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Thread.sleep(100);
        assertThat(commit).as("the commit waits for the bucket").isNotDone();
        assertThatThrownBy(() -> update.openBucket(OptionalLong.of(1))).hasMessageContaining("is being committed");
        inFlight.complete();
        inFlight.close();
        assertThat(commit.get(10, java.util.concurrent.TimeUnit.SECONDS).version()).isEqualTo(2);
        assertThat(served(Q)).containsExactly(TinyWeights.floats(q));
    }

    @Test
    void aBucketLargerThanTheLimitIsRefusedBeforeItsDataIsRead() throws Exception {
        start();
        StagedUpdate update = updates.begin(request(2, UpdateMode.PARTIAL));
        byte[] blob = TestBlobs.blob(List.of(TinyWeights.tensors(inputs, 1f, null).get(Q)), Map.of());
        assertThatThrownBy(() -> BucketReader.receive(update, OptionalLong.empty(), Channels.newChannel(new ByteArrayInputStream(blob)),
                OptionalLong.empty(), UpdateLimits.defaults().withMaxBucketBytes(63)))
                .hasMessageContaining("64 data bytes; a bucket may carry at most 63");
    }

    /** Released memory is closed by a background thread: wait for it (and fail if it never happens). */
    private static void awaitClosed(Arena released) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (released.scope().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(released.scope().isAlive()).as("released memory is closed").isFalse();
    }

    private void assertUnchanged() {
        assertThat(updates.currentVersion()).isEqualTo(1);
        assertThat(swaps).isEmpty();
        for (String name : TinyWeights.shapes().keySet()) {
            assertThat(served(name)).as(name).containsExactly(expected(0f, name));
        }
    }
}
