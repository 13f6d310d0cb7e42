package dev.ingot.engine.schedule;

import dev.ingot.engine.generate.FinishReason;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.kv.BlockLayout;
import dev.ingot.engine.kv.BlockPool;
import dev.ingot.engine.kv.KvCacheStats;
import dev.ingot.engine.kv.PagedKvCache;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.Sampler;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.update.SwapPolicy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Continuous batching. One thread owns every model call: at each step it admits waiting requests
 * (up to {@link SchedulerConfig#maxBatch()} sequences), feeds every running sequence's last token
 * plus a bounded chunk of new prompts in one forward pass per weight generation, samples each
 * sequence with its own seeded sampler, and retires the finished ones. Requests therefore join and
 * leave between any two steps, and a request gives the same tokens alone or in a crowd (kernels
 * compute each row independently of the batch).
 *
 * <p>Each sequence pins the weight generation it runs on. A swap in the {@link WeightStore} is
 * applied at the next step boundary according to its {@link SwapPolicy}.
 *
 * <p>KV lives in one {@link BlockPool} sized by {@link SchedulerConfig#kvCache()}. A request is admitted
 * when its prompt's blocks are free; the {@code n} choices of a request share the prompt's blocks
 * (copy-on-write of the partly filled last one), and full prompt blocks go to a prefix cache keyed by
 * weight generation, so a later prompt with the same beginning skips that part of its prefill. When a
 * step needs a block and none is free, the newest holder is preempted: its blocks are let go and it
 * recomputes prompt plus generated tokens when room returns, continuing with the same tokens.
 */
public final class Scheduler implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());
    private static final long IDLE_WAIT_MILLIS = 50;

    private final DecoderModel model;
    private final WeightStore weights;
    private final Tokenizer tokenizer;
    private final SchedulerConfig config;
    private final StopTokens stopTokens;
    private final BlockingQueue<Submission> incoming = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final Object submitLock = new Object();
    private final Thread thread;
    private volatile boolean accepting = true;
    private volatile boolean draining;
    private volatile boolean cancelAll;
    private volatile int runningCount;
    private volatile int waitingCount;

    // Owned by the scheduler thread.
    private final ArrayDeque<Submission> waiting = new ArrayDeque<>();
    private final List<Prefill> prefills = new ArrayList<>();
    private final List<Sequence> running = new ArrayList<>();
    /** Sequences whose blocks were taken back (or that RECOMPUTE moved to new weights): rebuilt before new admissions. */
    private final List<Sequence> preempted = new ArrayList<>();
    private final BlockPool pool;
    private final int blockPositions;
    private final KvBudget budget;
    private final Preemption preemption = new Preemption(running, prefills, preempted);
    private final PrefixSharing prefixes;
    private final Recomputation recomputation;
    private final WeightSwaps swaps;
    private long admissions;

    private Scheduler(DecoderModel model, WeightStore weights, Tokenizer tokenizer, SchedulerConfig config) {
        this.model = model;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.config = config;
        Set<Integer> eos = new HashSet<>(model.spec().eosTokenIds());
        if (tokenizer.eosId() >= 0) {
            eos.add(tokenizer.eosId());
        }
        this.stopTokens = new StopTokens(eos);
        BlockLayout layout = model.kvLayout(config.kvCache().dtype());
        this.pool = BlockPool.budgeted(layout, config.kvCache().bytes(), config.kvCache().preallocate());
        this.blockPositions = layout.positions();
        this.budget = new KvBudget(pool);
        this.prefixes = new PrefixSharing(pool, config.kvCache().prefixCache());
        this.recomputation = new Recomputation(model, prefixes, blockPositions, config.maxPrefillTokens());
        this.swaps = new WeightSwaps(running, preempted, prefills, preemption, prefixes, new WeightSwaps.Endings() {
            public void finish(Sequence s, FinishReason reason) {
                Scheduler.this.finish(s, reason);
            }

            public void abandon(Prefill p, FinishReason reason) {
                Scheduler.this.abandon(p, reason);
            }
        });
        weights.onSwap((previous, next, policy) -> swaps.announce(next, policy));
        this.thread = Thread.ofPlatform().name("ingot-scheduler").daemon(true).unstarted(this::run);
    }

    /** Starts the scheduler thread for a model; it runs until {@link #shutdown} or {@link #close}. */
    public static Scheduler start(DecoderModel model, WeightStore weights, Tokenizer tokenizer, SchedulerConfig config) {
        Scheduler scheduler = new Scheduler(model, weights, tokenizer, config);
        scheduler.thread.start();
        return scheduler;
    }

    public static Scheduler start(LoadedModel loaded, SchedulerConfig config) {
        return start(loaded.model(), loaded.weights(), loaded.tokenizer(), config);
    }

    public SchedulerConfig config() {
        return config;
    }

    /**
     * Queues a request; its events go to {@code listener} on the scheduler thread.
     *
     * @throws IllegalArgumentException   when the request does not fit this model (the message says why)
     * @throws RejectedExecutionException when the scheduler is shutting down
     */
    public RequestHandle submit(GenerationRequest request, GenerationListener listener) {
        validate(request);
        synchronized (submitLock) {
            if (!accepting) {
                throw new RejectedExecutionException("the server is shutting down and takes no new requests");
            }
            RequestHandle handle = new RequestHandle(ids.incrementAndGet());
            incoming.add(new Submission(request, listener, handle, System.nanoTime()));
            return handle;
        }
    }

    private void validate(GenerationRequest request) {
        ModelSpec spec = model.spec();
        int length = request.promptLength();
        if (length == 0) {
            throw new IllegalArgumentException("the prompt is empty and the model has no BOS token to start from");
        }
        if (length >= spec.maxPositions()) {
            throw new IllegalArgumentException("the prompt has " + length + " tokens; the model's context is "
                    + spec.maxPositions() + " tokens, so at most " + (spec.maxPositions() - 1) + " fit before the completion");
        }
        for (int i = 0; i < length; i++) {
            int token = request.promptToken(i);
            if (token < 0 || token >= spec.vocabSize()) {
                throw new IllegalArgumentException("prompt token " + i + " is " + token + ", outside the vocabulary (0.."
                        + (spec.vocabSize() - 1) + ")");
            }
        }
        if (request.n() > config.maxBatch()) {
            throw new IllegalArgumentException("n = " + request.n() + " exceeds the " + config.maxBatch()
                    + " sequences this server runs at once");
        }
        budget.refusal(request).ifPresent(why -> {
            throw new IllegalArgumentException(why);
        });
    }

    /** Blocks, prefix-cache hits and preemptions of this scheduler's KV cache. */
    public KvCacheStats kvCacheStats() {
        return pool.stats();
    }

    /** Sequences running now, including the choices of prompts being prefilled. */
    public int runningSequences() {
        return runningCount;
    }

    /** Requests waiting for room in the batch. */
    public int queuedRequests() {
        return waitingCount + incoming.size();
    }

    /** Forward steps taken so far. */
    public long steps() {
        return steps.get();
    }

    /**
     * Stops taking requests, lets running and queued ones finish for up to {@code grace}, then
     * cancels whatever is left (finish reason {@code cancelled}) and stops the thread.
     *
     * @return true when everything finished within the grace period
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        synchronized (submitLock) {
            accepting = false;
            draining = true;
        }
        thread.join(Math.max(1, grace.toMillis()));
        boolean drained = !thread.isAlive();
        if (!drained) {
            cancelAll = true;
            thread.join();
        }
        return drained;
    }

    @Override
    public void close() {
        try {
            shutdown(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (true) {
                swaps.apply();
                if (cancelAll) {
                    break;
                }
                dropCancelled();
                admit();
                publishCounts();
                if (running.isEmpty() && prefills.isEmpty()) {
                    if (draining && incoming.isEmpty() && waiting.isEmpty() && preempted.isEmpty()) {
                        break;
                    }
                    Submission next = incoming.poll(IDLE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        waiting.add(next);
                    }
                    continue;
                }
                step();
            }
        } catch (InterruptedException e) {
            LOG.log(System.Logger.Level.WARNING, "scheduler interrupted; cancelling every request");
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "scheduler failed; cancelling every request", e);
        } finally {
            cancelEverything();
            publishCounts();
            pool.close();
        }
    }

    private void publishCounts() {
        runningCount = slotsInUse();
        waitingCount = waiting.size();
    }

    private int slotsInUse() {
        int slots = running.size() + preempted.size();
        for (Prefill p : prefills) {
            slots += p.submission.request().n();
        }
        return slots;
    }

    /** Moves waiting requests into the batch in arrival order while their choices fit. */
    private void admit() {
        incoming.drainTo(waiting);
        waiting.removeIf(s -> {
            if (s.cancelled()) {
                endUnstarted(s, List.of(), FinishReason.CANCELLED);
                return true;
            }
            return false;
        });
        int available = budget.available() - budget.promisedTo(prefills);
        // Preempted sequences come first, oldest first: they were admitted before anything waiting.
        while (!preempted.isEmpty()) {
            Sequence s = preempted.getFirst();
            int needed = budget.blocksFor(s.nextPosition() + 1);
            if (needed > budget.capacity()) {
                preempted.removeFirst();
                fail(s, budget.outOfBudget(s.nextPosition()));
                continue;
            }
            if (needed > available) {
                break;
            }
            preempted.removeFirst();
            if (!rebuild(s)) {
                break;
            }
            available = budget.available() - budget.promisedTo(prefills);
        }
        int slots = slotsInUse();
        while (preempted.isEmpty() && !waiting.isEmpty() && slots + waiting.peek().request().n() <= config.maxBatch()) {
            int needed = budget.blocksFor(waiting.peek().request().promptLength());
            if (needed > available && !(running.isEmpty() && prefills.isEmpty())) {
                break; // waits for blocks; alone it always fits (checked at submit)
            }
            Submission s = waiting.poll();
            WeightGeneration generation = weights.acquire();
            Prefill p = new Prefill(s, new PagedKvCache(pool, model.spec().maxPositions()), new WeightPin(generation, List.of()),
                    admissions++);
            startPrompt(p);
            prefills.add(p);
            slots += s.request().n();
            available -= needed - p.cache.blockCount();
        }
    }

    /**
     * Begins (or begins again) feeding a prompt on its pinned generation, after the leading blocks the
     * prefix cache holds for that generation. At least the last prompt token is always computed: its
     * logits start the completion. A prompt that is scored needs every position's logits, so it skips the cache.
     */
    private void startPrompt(Prefill p) {
        GenerationRequest request = p.submission.request();
        PromptKeys keys = prefixes.keysFor(request, p.weights.generation());
        int hits = request.scorePrompt() ? 0
                : prefixes.attach(p.cache, keys, (request.promptLength() - 1) / blockPositions, request.promptLength());
        p.start(keys, hits, blockPositions);
    }

    private void dropCancelled() {
        for (Sequence s : List.copyOf(preempted)) {
            if (s.submission.cancelled()) {
                finish(s, FinishReason.CANCELLED);
            }
        }
        for (Sequence s : List.copyOf(running)) {
            if (s.submission.cancelled()) {
                finish(s, FinishReason.CANCELLED);
            }
        }
        for (Prefill p : List.copyOf(prefills)) {
            if (p.submission.cancelled()) {
                abandon(p, FinishReason.CANCELLED);
            }
        }
    }

    /**
     * Refills a preempted sequence's cache ({@link Recomputation}) and puts it back among the running.
     *
     * @return false when its blocks were not there after all (it is parked again): admitting stops for this step
     */
    private boolean rebuild(Sequence s) {
        switch (recomputation.refill(s)) {
            case Recomputation.Refilled r -> running.add(s);
            case Recomputation.NoRoom n -> {
                preemption.park(s);
                return false;
            }
            case Recomputation.Failed f -> fail(s, f.message());
        }
        return true;
    }

    /**
     * Gives every running sequence the block its next token goes to, oldest first. When none is free the
     * newest holder of blocks (a sequence or a prompt being fed) is preempted; a sequence that is the only
     * holder left and still does not fit has outgrown the whole budget and fails alone.
     */
    private void reserveDecodeBlocks() {
        List<Sequence> oldestFirst = new ArrayList<>(running);
        oldestFirst.sort(Preemption.OLDEST_FIRST);
        for (Sequence s : oldestFirst) {
            while (running.contains(s) && !s.cache.reserve(s.nextPosition())) {
                BlockHolder victim = preemption.newestHolder();
                if (victim == null || (victim == s && preemption.onlyHolder(s))) {
                    fail(s, budget.outOfBudget(s.nextPosition()));
                } else {
                    preempt(victim);
                }
            }
        }
    }

    /** Takes a holder's blocks back; it recomputes them when room returns. */
    private void preempt(BlockHolder victim) {
        pool.countPreemption();
        switch (victim) {
            case Sequence s -> {
                s.cache.clear();
                running.remove(s);
                preemption.park(s);
            }
            case Prefill p -> p.restart();
        }
    }

    private void step() {
        reserveDecodeBlocks();
        List<Work> work = new ArrayList<>();
        for (Sequence s : running) {
            work.add(new Work.Decode(s));
        }
        int tokenBudget = config.maxPrefillTokens();
        for (Prefill p : prefills) {
            if (tokenBudget == 0) {
                break;
            }
            if (!p.started()) {
                // A preempted prompt starts again only with room for all of it and a block per running
                // sequence, or it would take blocks the running ones need next step and be preempted again.
                int needed = budget.blocksFor(p.submission.request().promptLength()) + running.size();
                if (!preempted.isEmpty() || (budget.available() < needed && !running.isEmpty())) {
                    continue;
                }
                startPrompt(p);
            }
            int count = budget.reservePrompt(p, Math.min(p.remaining(), tokenBudget));
            if (count > 0) {
                work.add(new Work.PromptChunk(p, p.fed(), count));
                tokenBudget -= count;
            }
        }
        if (work.isEmpty()) {
            unblockPrompts();
            return;
        }
        StepBatch.byGeneration(work).forEach(this::runGroup);
        steps.incrementAndGet();
    }

    /**
     * Nothing could run: only prompts hold blocks and none can take another. The newest is preempted so
     * the older ones go on; a lone prompt always fits (checked at submit), so this ends.
     */
    private void unblockPrompts() {
        if (prefills.size() > 1) {
            Prefill newest = preemption.newestPromptHolding();
            if (newest != null) {
                preempt(newest);
                return;
            }
        }
        if (!prefills.isEmpty() && running.isEmpty() && preempted.isEmpty()) {
            failUnstarted(prefills.getFirst(), "the prompt does not fit the KV cache budget (--kv-cache-bytes): "
                    + budget.capacity() + " blocks of " + blockPositions + " positions");
        }
    }

    /** One forward pass for the work that runs on {@code generation}, then sampling. */
    private void runGroup(WeightGeneration generation, List<Work> group) {
        ForwardBatch batch = StepBatch.of(group);
        float[] logits;
        try {
            logits = model.forward(DecoderWeights.of(generation), batch);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "forward pass on " + generation + " failed", e);
            String message = "the model failed on " + generation + ": " + e.getMessage();
            for (Work w : group) {
                switch (w) {
                    case Work.Decode d -> fail(d.sequence(), message);
                    case Work.PromptChunk c -> failUnstarted(c.prefill(), message);
                }
            }
            return;
        }
        int vocab = model.spec().vocabSize();
        SampledToken[] decoded = sampleDecodes(group, logits, vocab);
        int logitRow = 0;
        for (int w = 0; w < group.size(); w++) {
            switch (group.get(w)) {
                case Work.Decode d -> {
                    logitRow++;
                    if (decoded[w] != null) {
                        accept(d.sequence(), decoded[w]);
                    }
                }
                case Work.PromptChunk c -> {
                    Prefill prefill = c.prefill();
                    GenerationRequest request = prefill.submission.request();
                    if (request.scorePrompt()) {
                        // Every row but the prompt's last predicts the next prompt token.
                        int scored = c.completesPrompt() ? c.count() - 1 : c.count();
                        for (int i = 0; i < scored; i++) {
                            int next = request.promptToken(c.from() + i + 1);
                            prefill.promptScores.add(PromptScorer.score(logits, vocab * logitRow++, vocab, next,
                                    request.promptTopLogprobs()));
                        }
                    }
                    prefill.advance(c.count());
                    prefill.weights.used();
                    int full = prefill.fed() / blockPositions;
                    // Blocks computed on one generation throughout (PAUSE may have moved it mid-prompt) are offered.
                    if (full > prefill.published && prefixes.keysAreFor(prefill.keys, generation)) {
                        prefixes.publish(prefill.cache, prefill.keys, prefill.published, full);
                        prefill.published = full;
                    }
                    if (c.completesPrompt()) {
                        prefills.remove(prefill);
                        fork(prefill, logits, vocab * logitRow++);
                    }
                }
            }
        }
    }

    /**
     * The prompt is in the cache: its {@code n} choices start from the same logits and share the prompt's
     * blocks; each copies the partly filled last block when it first writes there.
     */
    private void fork(Prefill prefill, float[] logits, int offset) {
        GenerationRequest request = prefill.submission.request();
        int lastPromptToken = request.promptToken(request.promptLength() - 1);
        List<Sequence> choices = new ArrayList<>(request.n());
        for (int i = 0; i < request.n(); i++) {
            boolean first = i == 0;
            PagedKvCache cache = first ? prefill.cache : prefill.cache.copy(request.promptLength());
            WeightPin pin = first ? prefill.weights : prefill.weights.fork();
            GenerationRequest.Ending ending = request.ending();
            choices.add(new Sequence(prefill.submission, i, new Sampler(request.choiceSampling(i), request.prompt()), cache,
                    prefill.order, pin,
                    new IncrementalText(tokenizer, lastPromptToken, request.stop(), ending.includeStopInOutput(),
                            ending.skipSpecialTokens()),
                    List.copyOf(prefill.promptScores)));
        }
        for (Sequence s : choices) {
            s.json = request.ending().grammar().constrain(tokenizer, model.spec().vocabSize(), lastPromptToken).orElse(null);
        }
        running.addAll(choices);
        for (Sequence s : choices) {
            if (request.scorePrompt()) {
                emit(s.submission, new GenerationEvent.PromptScored(s.choice, s.promptScores));
            }
            if (request.maxTokens() == 0) {
                finish(s, FinishReason.LENGTH); // the prompt alone was asked for (scoring)
            } else {
                sampleNext(s, logits, offset);
            }
        }
    }

    /**
     * The next token of every decoding sequence of the group, at the work's index (null for prompt chunks and
     * for sequences that failed before sampling). Each sequence's sampler reads only its own logits row and
     * state, so the rows are sampled on the kernels' threads: with 64 sequences, four passes over a 32,000-entry
     * row each (log-sum-exp, argmax, rank) took a tenth of the step on this thread while the helpers idled.
     */
    private SampledToken[] sampleDecodes(List<Work> group, float[] logits, int vocab) {
        SampledToken[] tokens = new SampledToken[group.size()];
        int[] at = new int[group.size()];
        int[][] bans = new int[group.size()][];
        int[] rows = new int[group.size()];
        int count = 0;
        int logitRow = 0;
        for (int i = 0; i < group.size(); i++) {
            switch (group.get(i)) {
                case Work.Decode d -> {
                    int[] banned = bannedFor(d.sequence());
                    if (banned != null) {
                        at[count] = i;
                        rows[count] = logitRow;
                        bans[count++] = banned;
                    }
                    logitRow++;
                }
                case Work.PromptChunk c -> logitRow += c.logitRows();
            }
        }
        model.kernels().parallelFor(count, j -> {
            Sequence s = ((Work.Decode) group.get(at[j])).sequence();
            tokens[at[j]] = s.sampler.sample(logits, vocab * rows[j], vocab, s.submission.request().topLogprobs(), bans[j]);
        });
        return tokens;
    }

    private void sampleNext(Sequence s, float[] logits, int offset) {
        int[] banned = bannedFor(s);
        if (banned != null) {
            accept(s, s.sampler.sample(logits, offset, model.spec().vocabSize(), s.submission.request().topLogprobs(), banned));
        }
    }

    /** The tokens {@code s} may not pick next, or null when none is left (it has failed). */
    private int[] bannedFor(Sequence s) {
        s.weights.used();
        GenerationRequest request = s.submission.request();
        int[] banned = stopTokens.banned(request, s.tokens.size());
        if (s.json != null) {
            banned = s.json.banned(); // every stop token adds no bytes, so these are banned already
            if (banned.length == model.spec().vocabSize()) {
                fail(s, "no token of the vocabulary continues the JSON object after " + s.tokens.size() + " tokens");
                return null;
            }
        }
        return banned;
    }

    /** Records a sampled token of {@code s}, emits it, and ends the sequence when it stops. */
    private void accept(Sequence s, SampledToken token) {
        GenerationRequest request = s.submission.request();
        s.tokens.add(token);
        if (s.json != null) {
            s.json.advance(token.token());
        }
        boolean stopToken = stopTokens.ends(request, token.token());
        // A stop token's own text is left out unless asked for (vLLM's include_stop_str_in_output).
        String text = stopToken && !request.ending().includeStopInOutput() ? ""
                : s.text.add(token.token(), s.tokens.size() >= request.ending().minTokens());
        emit(s.submission, new GenerationEvent.Token(s.choice, token, text, s.weights.generation().version()));
        if (stopToken || s.text.stopped() || (s.json != null && s.json.complete())) {
            finish(s, FinishReason.STOP);
        } else if (s.tokens.size() >= request.maxTokens() || s.nextPosition() >= model.spec().maxPositions()) {
            finish(s, FinishReason.LENGTH);
        }
    }

    private void finish(Sequence s, FinishReason reason) {
        running.remove(s);
        preempted.remove(s);
        s.cache.clear();
        String pending = s.text.flush();
        SequenceResult result = new SequenceResult(s.choice, s.submission.request().prompt(), s.tokens, s.text.text(),
                reason, s.weights.versionsUsed(), s.promptScores);
        s.weights.release();
        emit(s.submission, new GenerationEvent.Finished(s.choice, result, pending));
    }

    private void fail(Sequence s, String message) {
        running.remove(s);
        preempted.remove(s);
        s.cache.clear();
        s.weights.release();
        emit(s.submission, new GenerationEvent.Failed(s.choice, message));
    }

    /** Ends a request whose prompt is not yet in its cache. */
    private void abandon(Prefill p, FinishReason reason) {
        prefills.remove(p);
        p.cache.clear();
        p.weights.release();
        endUnstarted(p.submission, p.weights.versionsUsed(), reason);
    }

    private void failUnstarted(Prefill p, String message) {
        prefills.remove(p);
        p.cache.clear();
        p.weights.release();
        for (int i = 0; i < p.submission.request().n(); i++) {
            emit(p.submission, new GenerationEvent.Failed(i, message));
        }
    }

    private void endUnstarted(Submission s, List<Long> versions, FinishReason reason) {
        for (int i = 0; i < s.request().n(); i++) {
            SequenceResult result = new SequenceResult(i, s.request().prompt(), List.of(), "", reason, versions, List.of());
            emit(s, new GenerationEvent.Finished(i, result, ""));
        }
    }

    private void cancelEverything() {
        for (Sequence s : List.copyOf(preempted)) {
            finish(s, FinishReason.CANCELLED);
        }
        for (Sequence s : List.copyOf(running)) {
            finish(s, FinishReason.CANCELLED);
        }
        for (Prefill p : List.copyOf(prefills)) {
            abandon(p, FinishReason.CANCELLED);
        }
        synchronized (submitLock) {
            accepting = false;
            incoming.drainTo(waiting);
        }
        for (Submission s : waiting) {
            endUnstarted(s, List.of(), FinishReason.CANCELLED);
        }
        waiting.clear();
    }

    /** Listeners must not break the loop: one that throws loses its request, nobody else notices. */
    private void emit(Submission s, GenerationEvent event) {
        try {
            s.listener().on(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener of request " + s.handle().id() + " failed; cancelling it", e);
            s.handle().cancel();
        }
    }
}
