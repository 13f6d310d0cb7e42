package dev.ingot.engine.update;

import dev.ingot.engine.load.CanonicalWeightSet;
import dev.ingot.engine.load.WeightLoader;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import dev.ingot.spi.update.UpdateSession;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;

/**
 * One update transaction's staged weights. Tensors arrive in buckets; each bucket has its own arena,
 * so a bucket that arrives incomplete, or is sent again under the same {@code seq}, is dropped with
 * its memory while the others stay. A tensor that cannot be part of the model (unknown name, wrong
 * shape, duplicate, bad checksum) rejects the whole transaction at once and frees everything staged.
 * Nothing is visible to readers until {@link #commit()} swaps.
 */
public final class StagedUpdate implements UpdateSession {

    /** How long a bucket waits for another bucket of the same update that is still being received. */
    private static final long BUSY_WAIT_SECONDS = 10;

    private enum State { OPEN, COMMITTED, ABORTED }

    private final String id;
    private final UpdateRequest request;
    private final UpdateManager manager;
    private final WeightMapper mapper;
    private final TensorStager stager;
    /** Never filled: only its {@link CanonicalWeightSet#check} (known name, shape, storable type) is used. */
    private final CanonicalWeightSet rules;
    private final ReentrantLock lock = new ReentrantLock();
    private final long startedNanos = System.nanoTime();
    private volatile long lastActivityNanos = startedNanos;

    // Guarded by lock.
    private State state = State.OPEN;
    private String endReason = "";
    private final Map<Long, ReceivedBucket> buckets = new LinkedHashMap<>();
    private final Map<String, Long> nativeOwners = new HashMap<>();
    private final Map<String, Source> canonicalSources = new HashMap<>();
    private long nextInternalKey = -1;

    /** The native tensor a canonical one came from, and the bucket that delivered it. */
    private record Source(String nativeName, long bucket) {}

    /** A completed bucket: its arena, the native tensors it delivered and what they became. */
    private record ReceivedBucket(Arena arena, Map<String, TensorInfo> natives, Map<String, Tensor> canonical, long bytes) {}

    StagedUpdate(String id, UpdateRequest request, UpdateManager manager, WeightMapper mapper, TensorStager stager,
            CanonicalWeightSet rules) {
        this.id = id;
        this.request = request;
        this.manager = manager;
        this.mapper = mapper;
        this.stager = stager;
        this.rules = rules;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public UpdateRequest request() {
        return request;
    }

    @Override
    public void put(Tensor nativeTensor) throws UpdateRejectedException {
        try (Bucket bucket = openBucket(OptionalLong.empty())) {
            bucket.put(nativeTensor);
            bucket.complete();
        }
    }

    @Override
    public void put(TensorInfo nativeTensor, ReadableByteChannel bytes) throws UpdateRejectedException {
        try (Bucket bucket = openBucket(OptionalLong.empty())) {
            bucket.put(nativeTensor, bytes, OptionalLong.empty());
            bucket.complete();
        }
    }

    /**
     * Starts receiving a bucket. With a {@code seq}, the bucket replaces whatever an earlier bucket with
     * the same seq delivered, once it is complete: a client retries a broken upload under the same seq.
     * Waits a while for another bucket of this update still in progress, then refuses as busy.
     */
    public Bucket openBucket(OptionalLong seq) throws UpdateRejectedException {
        if (seq.isPresent() && seq.getAsLong() < 0) {
            throw new BucketRejectedException("seq must be 0 or more, got " + seq.getAsLong(), false);
        }
        try {
            if (!lock.tryLock(BUSY_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new BucketRejectedException("update " + id + " is still receiving another bucket; send this one again later",
                        true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BucketRejectedException("interrupted while waiting to receive a bucket of update " + id, e);
        }
        try {
            requireOpen();
            touch();
            long key = seq.isPresent() ? seq.getAsLong() : nextInternalKey--;
            return new Bucket(key, seq.isPresent() ? "bucket seq " + key : "bucket");
        } catch (UpdateRejectedException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    @Override
    public CommitResult commit() throws UpdateRejectedException {
        lock.lock();
        try {
            requireOpen();
            touch();
            CommitResult result;
            try {
                result = manager.commit(this, stagedLocked(), bytesLocked(), System.nanoTime() - startedNanos);
            } catch (UpdateRejectedException e) {
                endLocked(UpdateOutcome.Kind.REJECTED, e.getMessage());
                throw e;
            } catch (RuntimeException e) {
                endLocked(UpdateOutcome.Kind.REJECTED, "the commit failed: " + e);
                throw new UpdateRejectedException("update " + id + ": the commit failed: " + e, e);
            }
            // The committed generation owns the arenas now.
            buckets.clear();
            endLocked(UpdateOutcome.Kind.COMMITTED, "committed as version " + result.version());
            return result;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void abort(String reason) {
        lock.lock();
        try {
            if (state == State.OPEN) {
                endLocked(UpdateOutcome.Kind.ABORTED, reason);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Aborts if nobody has touched the transaction for {@code timeoutNanos}; never waits for a busy one. */
    boolean abortIfIdle(long nowNanos, long timeoutNanos, String reason) {
        if (nowNanos - lastActivityNanos < timeoutNanos || !lock.tryLock()) {
            return false;
        }
        try {
            if (state != State.OPEN || System.nanoTime() - lastActivityNanos < timeoutNanos) {
                return false;
            }
            endLocked(UpdateOutcome.Kind.ABORTED, reason);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Canonical names staged so far (for progress reports and tests). */
    public List<String> stagedNames() {
        lock.lock();
        try {
            return List.copyOf(stagedLocked().keySet());
        } finally {
            lock.unlock();
        }
    }

    /** The arenas of the completed buckets: the committed generation's memory. */
    List<Arena> arenasForCommit() {
        return buckets.values().stream().map(ReceivedBucket::arena).toList();
    }

    private Map<String, Tensor> stagedLocked() {
        Map<String, Tensor> all = new LinkedHashMap<>();
        buckets.values().forEach(b -> all.putAll(b.canonical()));
        return all;
    }

    private long bytesLocked() {
        return buckets.values().stream().mapToLong(ReceivedBucket::bytes).sum();
    }

    private void touch() {
        lastActivityNanos = System.nanoTime();
    }

    private void requireOpen() throws UpdateRejectedException {
        if (state != State.OPEN) {
            throw new UpdateConflictException("update " + id + " is " + (state == State.COMMITTED ? "already committed" : "aborted")
                    + ": " + endReason);
        }
    }

    private void endLocked(UpdateOutcome.Kind outcome, String reason) {
        state = outcome == UpdateOutcome.Kind.COMMITTED ? State.COMMITTED : State.ABORTED;
        endReason = reason;
        // A failed commit may already have handed some arenas to a generation that released them.
        buckets.values().stream().map(ReceivedBucket::arena).filter(a -> a.scope().isAlive()).forEach(Arena::close);
        buckets.clear();
        nativeOwners.clear();
        canonicalSources.clear();
        manager.ended(this, new UpdateOutcome(outcome, Duration.ofNanos(System.nanoTime() - startedNanos), reason));
    }

    /** Rejects the whole transaction: frees everything staged and reports {@code message}. */
    private UpdateRejectedException reject(String message) {
        String full = "update " + id + " rejected: " + message;
        endLocked(UpdateOutcome.Kind.REJECTED, full);
        return new UpdateRejectedException(full + "; the served weights are unchanged");
    }

    /**
     * One bucket being received. Its tensors count only once {@link #complete()} is called; closing it
     * before that drops them. Holds the transaction's lock from opening to closing.
     */
    public final class Bucket implements AutoCloseable {

        private final long key;
        private final String name;
        private final Arena arena = Arena.ofShared();
        private final Map<String, TensorInfo> natives = new LinkedHashMap<>();
        private final Map<String, Tensor> canonical = new LinkedHashMap<>();
        /** Canonical name to the native tensor of this bucket it came from. */
        private final Map<String, String> producedBy = new HashMap<>();
        private long bytes;
        private boolean finished;

        private Bucket(long key, String name) {
            this.key = key;
            this.name = name;
        }

        /** Copies a tensor the caller holds. */
        public void put(Tensor nativeTensor) throws UpdateRejectedException {
            TensorStager.Plan plan = plan(nativeTensor.info());
            try {
                add(plan, stager.stage(nativeTensor, plan, arena, where()));
            } catch (CheckpointException e) {
                throw reject(e.getMessage());
            }
        }

        /**
         * Streams one tensor's bytes from {@code in}. When {@code expectedCrc} is given, the CRC32 of the
         * bytes must match it. An early end of the stream rejects only this bucket.
         */
        public void put(TensorInfo nativeInfo, ReadableByteChannel in, OptionalLong expectedCrc) throws UpdateRejectedException {
            TensorStager.Plan plan = plan(nativeInfo);
            CRC32 crc = new CRC32();
            List<Tensor> staged;
            try {
                staged = stager.stage(plan, in, crc, arena, where());
            } catch (CheckpointException e) {
                throw reject(e.getMessage());
            } catch (IOException e) {
                throw new BucketRejectedException(name + " of update " + id + " was cut off in tensor '" + nativeInfo.name()
                        + "': " + e.getMessage() + "; the bucket is dropped, the update stays open: send it again", e);
            }
            if (expectedCrc.isPresent() && crc.getValue() != expectedCrc.getAsLong()) {
                throw reject("tensor '" + nativeInfo.name() + "' has CRC32 " + hex(crc.getValue()) + " but the sender declared "
                        + hex(expectedCrc.getAsLong()));
            }
            add(plan, staged);
        }

        /** Makes the bucket's tensors part of the update, replacing an earlier bucket with the same seq. */
        public void complete() throws UpdateRejectedException {
            requireOpen();
            ReceivedBucket replaced = buckets.remove(key);
            if (replaced != null) {
                replaced.natives().keySet().forEach(nativeOwners::remove);
                replaced.canonical().keySet().forEach(canonicalSources::remove);
                replaced.arena().close();
            }
            natives.keySet().forEach(n -> nativeOwners.put(n, key));
            producedBy.forEach((c, n) -> canonicalSources.put(c, new Source(n, key)));
            buckets.put(key, new ReceivedBucket(arena, Map.copyOf(natives), canonical, bytes));
            finished = true;
            touch();
        }

        /** Rejects the whole update because of something wrong in this bucket; returns the exception to throw. */
        public UpdateRejectedException rejectUpdate(String message) {
            return reject(message);
        }

        public int tensorCount() {
            return natives.size();
        }

        public long bytes() {
            return bytes;
        }

        /** Drops the bucket unless it was completed, and lets other buckets of the update in. */
        @Override
        public void close() {
            try {
                if (!finished && arena.scope().isAlive()) {
                    arena.close();
                }
            } finally {
                touch();
                lock.unlock();
            }
        }

        private String where() {
            return name + " of update " + id;
        }

        /** Validates a native tensor's description before any of its bytes are read. */
        private TensorStager.Plan plan(TensorInfo nativeInfo) throws UpdateRejectedException {
            requireOpen();
            touch();
            String nativeName = nativeInfo.name();
            Long owner = nativeOwners.get(nativeName);
            if (natives.containsKey(nativeName) || (owner != null && owner != key)) {
                throw reject("tensor '" + nativeName + "' was sent twice");
            }
            try {
                List<TensorMapping.Target> targets = WeightLoader.targets(mapper, nativeInfo, where(), rules);
                List<TensorInfo> described = WeightLoader.describe(nativeInfo, targets, where());
                for (TensorInfo c : described) {
                    rules.check(c, "tensor '" + nativeName + "' (format " + request.format() + ")");
                    Source earlier = canonicalSources.get(c.name());
                    String inThisBucket = producedBy.get(c.name());
                    if (inThisBucket != null || (earlier != null && earlier.bucket() != key)) {
                        throw new CheckpointException("tensor '" + nativeName + "' maps to '" + c.name() + "', which tensor '"
                                + (inThisBucket != null ? inThisBucket : earlier.nativeName()) + "' already provided");
                    }
                }
                return new TensorStager.Plan(nativeInfo, targets, described);
            } catch (CheckpointException e) {
                throw reject(e.getMessage());
            }
        }

        private void add(TensorStager.Plan plan, List<Tensor> staged) {
            natives.put(plan.nativeInfo().name(), plan.nativeInfo());
            for (Tensor t : staged) {
                canonical.put(t.name(), t);
                producedBy.put(t.name(), plan.nativeInfo().name());
            }
            bytes += plan.nativeInfo().byteSize();
            touch();
        }
    }

    static String hex(long crc) {
        return String.format(Locale.ROOT, "%08x", crc);
    }

    @Override
    public String toString() {
        return "update " + id + " (v" + request.version() + ", " + request.mode() + ", format " + request.format() + ")";
    }
}
