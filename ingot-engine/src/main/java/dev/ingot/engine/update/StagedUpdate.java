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
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import java.util.zip.Checksum;

/**
 * One update transaction's staged weights. Tensors arrive in buckets; each bucket has its own arena,
 * so a bucket that arrives incomplete or corrupted (a tensor off its declared checksum), or is sent again
 * under the same {@code seq}, is dropped with its memory while the others stay. A tensor that cannot be
 * part of the model (unknown name, wrong shape, duplicate) rejects the whole transaction at once and frees
 * everything staged, as do more than {@value #MAX_CORRUPTED_BUCKETS} corrupted buckets.
 * Nothing is visible to readers until {@link #commit()} swaps.
 *
 * <p>Several buckets may be received at once, each on its own thread into its own arena. The lock is
 * held only to check and claim a tensor's names before its bytes are read and to file a finished
 * bucket, never while bytes arrive. A bucket in flight owns its arena: when the update ends under it
 * (rejected by another bucket, aborted), it notices at its next tensor or at completion and frees its
 * memory itself. A commit waits for the buckets in flight and refuses new ones.
 */
public final class StagedUpdate implements UpdateSession {

    /** How long a bucket waits for one with the same seq, or for a free slot, before it is refused as busy. */
    private static final long BUSY_WAIT_SECONDS = 10;
    /** Buckets of one update received at once; each holds a server thread and up to a bucket of memory. */
    static final int MAX_PARALLEL_BUCKETS = 16;
    /**
     * Corrupted buckets one update forgives. Bytes flipped in transit are rare and worth a resend; a sender
     * whose bytes fail their checksum again and again is wrong about them, and resending will not help.
     */
    static final int MAX_CORRUPTED_BUCKETS = 8;

    private enum State { OPEN, COMMITTED, ABORTED }

    private final String id;
    private final UpdateRequest request;
    private final UpdateManager manager;
    private final WeightMapper mapper;
    private final TensorStager stager;
    private final StagingMemory memory;
    /** Never filled: only its {@link CanonicalWeightSet#check} (known name, shape, storable type) is used. */
    private final CanonicalWeightSet rules;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled whenever a bucket ends or the update does: openBucket and commit wait on it. */
    private final Condition bucketsChanged = lock.newCondition();
    private final long startedNanos = System.nanoTime();
    private volatile long lastActivityNanos = startedNanos;

    // Guarded by lock.
    private State state = State.OPEN;
    private String endReason = "";
    private final Map<Long, ReceivedBucket> buckets = new LinkedHashMap<>();
    private final Map<String, Long> nativeOwners = new HashMap<>();
    private final Map<String, Source> canonicalSources = new HashMap<>();
    /** Buckets being received, by key; their names are claimed below until they complete or drop. */
    private final Map<Long, Bucket> receiving = new HashMap<>();
    private final Map<String, Bucket> claimedNatives = new HashMap<>();
    private final Map<String, Claim> claimedCanonical = new HashMap<>();
    private boolean committing;
    private long nextInternalKey = -1;
    private int corruptedBuckets;

    /** The native tensor a canonical one came from, and the bucket that delivered it. */
    private record Source(String nativeName, long bucket) {}

    /** A canonical name a bucket in flight will provide, and the native tensor it comes from. */
    private record Claim(String nativeName, Bucket bucket) {}

    /** A completed bucket: its arena, the native tensors it delivered and what they became. */
    private record ReceivedBucket(Arena arena, Map<String, TensorInfo> natives, Map<String, Tensor> canonical, long bytes) {}

    StagedUpdate(String id, UpdateRequest request, UpdateManager manager, WeightMapper mapper, TensorStager stager,
            StagingMemory memory, CanonicalWeightSet rules) {
        this.id = id;
        this.request = request;
        this.manager = manager;
        this.mapper = mapper;
        this.stager = stager;
        this.memory = memory;
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
     * Buckets with different seqs are received in parallel; one whose seq is still being received (a
     * retry that overtook its first attempt), or one beyond {@value #MAX_PARALLEL_BUCKETS} at once, waits
     * a while for it, then is refused as busy.
     */
    public Bucket openBucket(OptionalLong seq) throws UpdateRejectedException {
        if (seq.isPresent() && seq.getAsLong() < 0) {
            throw new IllegalArgumentException("seq must be 0 or more, got " + seq.getAsLong());
        }
        lock.lock();
        try {
            long key = seq.isPresent() ? seq.getAsLong() : nextInternalKey--;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BUSY_WAIT_SECONDS);
            while (true) {
                requireOpen();
                if (committing) {
                    throw new UpdateConflictException("update " + id + " is being committed; it takes no more buckets");
                }
                if (!receiving.containsKey(key) && receiving.size() < MAX_PARALLEL_BUCKETS) {
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new BucketRejectedException("update " + id + (receiving.containsKey(key)
                            ? " is still receiving an earlier bucket with seq " + key
                            : " is receiving " + receiving.size() + " buckets already, the most at once")
                            + "; send this one again later", BucketRejectedException.Reason.BUSY);
                }
                bucketsChanged.awaitNanos(left);
            }
            touch();
            Bucket bucket = new Bucket(key, seq.isPresent() ? "bucket seq " + key : "bucket");
            receiving.put(key, bucket);
            return bucket;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BucketRejectedException("interrupted while waiting to receive a bucket of update " + id, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CommitResult commit() throws UpdateRejectedException {
        lock.lock();
        try {
            requireOpen();
            awaitBucketsInFlight();
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

    /** Lets the buckets being received finish (or fail) first, taking no new ones meanwhile; the lock is held. */
    private void awaitBucketsInFlight() throws UpdateRejectedException {
        committing = true;
        try {
            while (!receiving.isEmpty()) {
                bucketsChanged.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpdateConflictException("update " + id + ": interrupted while its buckets were still arriving; not committed");
        } finally {
            committing = false;
        }
        requireOpen();
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

    /**
     * Aborts if nobody has touched the transaction for {@code timeoutNanos}; never waits for a busy one, and a
     * bucket being received counts as activity.
     */
    boolean abortIfIdle(long nowNanos, long timeoutNanos, String reason) {
        if (nowNanos - lastActivityNanos < timeoutNanos || !lock.tryLock()) {
            return false;
        }
        try {
            if (state != State.OPEN || !receiving.isEmpty() || System.nanoTime() - lastActivityNanos < timeoutNanos) {
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

    /** Buckets being received at this moment (for progress reports and tests). */
    public int bucketsReceiving() {
        lock.lock();
        try {
            return receiving.size();
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
        // A failed commit may already have handed some arenas to a generation that released them. Buckets
        // still in flight are another thread's to free: they find the update ended at their next step.
        buckets.values().stream().map(ReceivedBucket::arena).filter(a -> a.scope().isAlive()).forEach(Arena::close);
        buckets.clear();
        nativeOwners.clear();
        canonicalSources.clear();
        bucketsChanged.signalAll();
        manager.ended(this, new UpdateOutcome(outcome, Duration.ofNanos(System.nanoTime() - startedNanos), reason));
    }

    /** Rejects the whole transaction: frees everything staged and reports {@code message}. */
    private UpdateRejectedException reject(String message) {
        String full = "update " + id + " rejected: " + message;
        lock.lock();
        try {
            if (state == State.OPEN) {
                endLocked(UpdateOutcome.Kind.REJECTED, full);
            }
        } finally {
            lock.unlock();
        }
        return new UpdateRejectedException(full + "; the served weights are unchanged");
    }

    /**
     * One bucket being received, by one thread. Its tensors count only once {@link #complete()} is called;
     * closing it before that drops them.
     */
    public final class Bucket implements AutoCloseable {

        private final long key;
        private final String name;
        private final StagingArena arena = memory.newArena();
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
            Checksum crc = expectedCrc.isPresent() ? new CRC32() : SegmentChannels.NONE; // nothing to check: no pass
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
                throw corrupted("tensor '" + nativeInfo.name() + "' arrived with CRC32 " + hex(crc.getValue())
                        + " but the sender declared " + hex(expectedCrc.getAsLong()));
            }
            add(plan, staged);
        }

        /**
         * Drops this bucket for bytes that changed in transit, or rejects the update once it has had
         * {@value #MAX_CORRUPTED_BUCKETS} corrupted buckets already.
         */
        private UpdateRejectedException corrupted(String what) {
            int count;
            lock.lock();
            try {
                count = ++corruptedBuckets;
            } finally {
                lock.unlock();
            }
            if (count > MAX_CORRUPTED_BUCKETS) {
                return reject(where() + ": " + what + ", the " + count + "th corrupted bucket of this update (at most "
                        + MAX_CORRUPTED_BUCKETS + " are resent)");
            }
            return new BucketRejectedException(where() + ": " + what + "; the bucket is dropped, the update stays open: send it again",
                    BucketRejectedException.Reason.CORRUPTED);
        }

        /** Makes the bucket's tensors part of the update, replacing an earlier bucket with the same seq. */
        public void complete() throws UpdateRejectedException {
            ReceivedBucket replaced;
            lock.lock();
            try {
                requireOpen();
                replaced = buckets.remove(key);
                if (replaced != null) {
                    replaced.natives().keySet().forEach(nativeOwners::remove);
                    replaced.canonical().keySet().forEach(canonicalSources::remove);
                }
                natives.keySet().forEach(n -> nativeOwners.put(n, key));
                producedBy.forEach((c, n) -> canonicalSources.put(c, new Source(n, key)));
                buckets.put(key, new ReceivedBucket(arena, Map.copyOf(natives), canonical, bytes));
                finished = true;
            } finally {
                lock.unlock();
            }
            if (replaced != null) {
                replaced.arena().close();
            }
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

        /** Drops the bucket unless it was completed, gives up its claims, and lets waiting buckets or a commit go on. */
        @Override
        public void close() {
            lock.lock();
            try {
                claimedNatives.values().removeIf(b -> b == this);
                claimedCanonical.values().removeIf(c -> c.bucket() == this);
                receiving.remove(key, this);
                bucketsChanged.signalAll();
            } finally {
                lock.unlock();
            }
            if (!finished && arena.scope().isAlive()) {
                arena.close();
            }
            touch();
        }

        private String where() {
            return name + " of update " + id;
        }

        /**
         * Validates a native tensor's description before any of its bytes are read, and claims its native and
         * canonical names so that no other bucket in flight can deliver them too.
         */
        private TensorStager.Plan plan(TensorInfo nativeInfo) throws UpdateRejectedException {
            lock.lock();
            try {
                requireOpen();
                touch();
                String nativeName = nativeInfo.name();
                Long owner = nativeOwners.get(nativeName);
                Bucket claimer = claimedNatives.get(nativeName);
                if (natives.containsKey(nativeName) || (owner != null && owner != key) || (claimer != null && claimer != this)) {
                    throw reject("tensor '" + nativeName + "' was sent twice");
                }
                try {
                    List<TensorMapping.Target> targets = WeightLoader.targets(mapper, nativeInfo, where(), rules);
                    List<TensorInfo> described = WeightLoader.describe(nativeInfo, targets, where());
                    for (TensorInfo c : described) {
                        rules.check(c, "tensor '" + nativeName + "' (format " + request.format() + ")");
                        String provider = providerOtherThanThis(c.name());
                        if (provider != null) {
                            throw new CheckpointException("tensor '" + nativeName + "' maps to '" + c.name() + "', which tensor '"
                                    + provider + "' already provided");
                        }
                    }
                    claimedNatives.put(nativeName, this);
                    described.forEach(c -> claimedCanonical.put(c.name(), new Claim(nativeName, this)));
                    return new TensorStager.Plan(nativeInfo, targets, described);
                } catch (CheckpointException e) {
                    throw reject(e.getMessage());
                }
            } finally {
                lock.unlock();
            }
        }

        /** The native tensor that already provides {@code canonicalName}: in this bucket, a completed one, or one in flight. */
        private String providerOtherThanThis(String canonicalName) {
            String inThisBucket = producedBy.get(canonicalName);
            if (inThisBucket != null) {
                return inThisBucket;
            }
            Source earlier = canonicalSources.get(canonicalName);
            if (earlier != null && earlier.bucket() != key) {
                return earlier.nativeName();
            }
            Claim claim = claimedCanonical.get(canonicalName);
            return claim != null && claim.bucket() != this ? claim.nativeName() : null;
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
