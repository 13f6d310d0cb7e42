package dev.ingot.engine.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.testing.ByteTokenizer;
import dev.ingot.engine.testing.RandomModel;
import dev.ingot.engine.generate.FinishReason;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.update.SwapPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The scheduler against the single-sequence {@link Generator}: whatever the batch around it, a
 * request must produce exactly the tokens and log-probabilities the generator produces alone.
 */
class SchedulerTest extends SchedulerFixture {

    private int[] prompt(String text) {
        int[] body = tokenizer.encode(text);
        int[] out = new int[body.length + 1];
        out[0] = ByteTokenizer.BOS;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** The reference: the generator alone on a fresh store of the same weights. */
    private Completion alone(int[] prompt, SamplingParams params, int maxTokens, int top, Consumer<SampledToken> onToken,
            WeightStore store) {
        return new Generator(RandomModel.model(), store, tokenizer).generate(prompt, params, maxTokens, top, onToken);
    }

    private Completion alone(int[] prompt, SamplingParams params, int maxTokens, int top) {
        return alone(prompt, params, maxTokens, top, t -> { }, store(1, WEIGHTS_A));
    }

    private static List<SequenceResult> run(Scheduler scheduler, GenerationRequest request) throws InterruptedException {
        GenerationStream stream = new GenerationStream();
        scheduler.submit(request, stream);
        return stream.awaitResults(request.n());
    }

    private static void assertSame(SequenceResult actual, Completion expected) {
        assertThat(actual.tokens()).as("tokens with log-probabilities").isEqualTo(expected.tokens());
        assertThat(actual.finishReason()).isEqualTo(expected.finishReason());
    }

    @Test
    void aLoneGreedyRequestMatchesTheSingleSequenceGenerator() throws Exception {
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults());
        int[] prompt = prompt("Once upon a time");
        GenerationRequest request = new GenerationRequest(prompt, SamplingParams.greedy(), 1, 40, 3, List.of());

        SequenceResult result = run(scheduler, request).getFirst();

        assertSame(result, alone(prompt, SamplingParams.greedy(), 40, 3));
        assertThat(result.tokens()).hasSize(40).allSatisfy(t -> assertThat(t.top()).hasSize(3));
        assertThat(result.weightVersions()).containsExactly(1L);
        assertThat(result.text()).isEqualTo(tokenizer.decode(prompt[prompt.length - 1], result.tokenIds()));
    }

    @Test
    void sixteenConcurrentSeededRequestsEachEqualTheirSoloRun() throws Exception {
        // A small prefill budget forces prompts to be chunked and mixed with other requests' decode rows.
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), new SchedulerConfig(16, 7));
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            SamplingParams params = new SamplingParams(0.8 + i * 0.02, i % 2 == 0 ? 1 : 0.9, i % 3 == 0 ? 0 : 40, 1000 + i);
            requests.add(new GenerationRequest(prompt("Story " + "#".repeat(i) + " begins"), params, 1, 10 + i * 2, 2, List.of()));
        }
        List<GenerationStream> streams = new ArrayList<>();
        for (GenerationRequest r : requests) {
            GenerationStream stream = new GenerationStream();
            scheduler.submit(r, stream);
            streams.add(stream);
        }
        for (int i = 0; i < 16; i++) {
            GenerationRequest r = requests.get(i);
            SequenceResult result = streams.get(i).awaitResults(1).getFirst();
            assertSame(result, alone(r.prompt(), r.sampling(), r.maxTokens(), 2));
        }
        assertThat(scheduler.steps()).as("the requests shared forward passes").isLessThan(16 * 20);
    }

    @Test
    void requestsSampledOnSeveralThreadsEachEqualTheirSoloRun() throws Exception {
        // Every decoding sequence of a step is sampled as a task of parallelFor; tasks here run on other threads.
        try (ThreadedKernels kernels = new ThreadedKernels(3)) {
            DecoderModel model = new DecoderModel(RandomModel.DEFINITION, kernels);
            Scheduler scheduler = scheduler(model, store(1, WEIGHTS_A), new SchedulerConfig(12, 64));
            List<GenerationRequest> requests = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                SamplingParams params = i % 3 == 0 ? SamplingParams.greedy()
                        : new SamplingParams(0.7 + i * 0.05, i % 2 == 0 ? 1 : 0.85, i % 4 == 0 ? 0 : 30, 500 + i);
                requests.add(new GenerationRequest(prompt("Tale " + "~".repeat(i) + " starts"), params, 1, 12 + i, 2, List.of()));
            }
            List<GenerationStream> streams = new ArrayList<>();
            for (GenerationRequest r : requests) {
                GenerationStream stream = new GenerationStream();
                scheduler.submit(r, stream);
                streams.add(stream);
            }
            for (int i = 0; i < requests.size(); i++) {
                GenerationRequest r = requests.get(i);
                assertSame(streams.get(i).awaitResults(1).getFirst(), alone(r.prompt(), r.sampling(), r.maxTokens(), 2));
            }
            assertThat(kernels.tasksOffCaller.get()).as("tasks that ran on the pool's threads").isPositive();
        }
    }

    @Test
    void nChoicesShareOnePrefillAndEachFollowsItsOwnSeed() throws Exception {
        CountingKernels kernels = new CountingKernels();
        DecoderModel model = new DecoderModel(RandomModel.DEFINITION, kernels);
        Scheduler scheduler = scheduler(model, store(1, WEIGHTS_A), SchedulerConfig.defaults());
        int[] prompt = prompt("A shared beginning of some length");
        SamplingParams params = new SamplingParams(1.0, 1, 0, 77);
        GenerationRequest request = new GenerationRequest(prompt, params, 4, 12, 0, List.of());

        List<SequenceResult> results = run(scheduler, request);

        assertThat(results).extracting(SequenceResult::choice).containsExactly(0, 1, 2, 3);
        for (SequenceResult result : results) {
            assertSame(result, alone(prompt, request.choiceSampling(result.choice()), 12, 0));
        }
        assertThat(results.stream().map(r -> List.of(r.tokenIds())).distinct()).as("different seeds, different samples").hasSize(4);
        assertThat(kernels.rowsThroughFirstQuery.get()).as("prompt rows computed once, then one row per choice and token")
                .isEqualTo(prompt.length + 4 * (12 - 1));
    }

    @Test
    void promptScoresCoverEveryPromptTokenAfterTheFirstHoweverThePromptIsChunked() throws Exception {
        int[] prompt = prompt("Score every token of this prompt");
        GenerationRequest request = new GenerationRequest(prompt, SamplingParams.greedy(), 1, 3, 2, List.of(), true);
        SequenceResult whole = run(scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults()), request).getFirst();
        SequenceResult chunked = run(scheduler(RandomModel.model(), store(1, WEIGHTS_A), new SchedulerConfig(4, 5)), request).getFirst();

        assertThat(whole.promptScores()).hasSize(prompt.length - 1).isEqualTo(chunked.promptScores());
        for (int i = 1; i < prompt.length; i++) {
            SampledToken score = whole.promptScores().get(i - 1);
            assertThat(score.token()).isEqualTo(prompt[i]);
            assertThat(score.top()).hasSize(2);
            assertThat(score.logprob()).isLessThanOrEqualTo(score.top().getFirst().logprob() + 1e-6f);
        }
        // Greedy decoding of the same prompt: the sampled token is the argmax the last prompt row reports.
        assertThat(whole.tokens().getFirst().token()).isEqualTo(alone(prompt, SamplingParams.greedy(), 3, 0).tokens().getFirst().token());
        assertThat(run(scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults()),
                GenerationRequest.greedy(prompt, 3)).getFirst().promptScores()).isEmpty();
    }

    @Test
    void eachChoiceHearsItsPromptScoresBeforeItsFirstTokenAndOnlyWhenAskedFor() throws Exception {
        int[] prompt = prompt("Scores come first");
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), new SchedulerConfig(4, 5));
        for (boolean score : new boolean[] {true, false}) {
            GenerationStream stream = new GenerationStream();
            scheduler.submit(new GenerationRequest(prompt, SamplingParams.greedy(), 3, 4, 1, List.of(), score), stream);
            List<List<GenerationEvent>> byChoice = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int ended = 0; ended < 3; ) {
                GenerationEvent e = stream.take();
                byChoice.get(e.choice()).add(e);
                ended += e instanceof GenerationEvent.Finished ? 1 : 0;
            }
            for (List<GenerationEvent> events : byChoice) {
                SequenceResult result = ((GenerationEvent.Finished) events.getLast()).result();
                if (score) {
                    assertThat(events.getFirst()).isInstanceOf(GenerationEvent.PromptScored.class);
                    assertThat(((GenerationEvent.PromptScored) events.getFirst()).scores()).hasSize(prompt.length - 1)
                            .isEqualTo(result.promptScores());
                    assertThat(events.get(1)).isInstanceOf(GenerationEvent.Token.class);
                }
                assertThat(events.stream().filter(GenerationEvent.PromptScored.class::isInstance)).hasSize(score ? 1 : 0);
            }
        }
    }

    @Test
    void maxBatchBoundsTheRunningSequencesAndTheRestWaitInTheQueue() throws Exception {
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults().withMaxBatch(2));
        Set<Long> active = new HashSet<>();
        AtomicInteger mostActive = new AtomicInteger();
        AtomicInteger mostQueued = new AtomicInteger();
        List<GenerationStream> streams = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int[] prompt = prompt("Request " + i);
            prompts.add(prompt);
            GenerationStream stream = new GenerationStream();
            streams.add(stream);
            long id = i;
            scheduler.submit(GenerationRequest.greedy(prompt, 15), event -> {
                // Runs on the scheduler thread, so this bookkeeping needs no locks.
                if (event instanceof GenerationEvent.Token) {
                    active.add(id);
                } else {
                    active.remove(id);
                }
                mostActive.set(Math.max(mostActive.get(), active.size()));
                mostQueued.set(Math.max(mostQueued.get(), scheduler.queuedRequests()));
                mostActive.set(Math.max(mostActive.get(), scheduler.runningSequences()));
                stream.on(event);
            });
        }
        for (int i = 0; i < 5; i++) {
            assertSame(streams.get(i).awaitResults(1).getFirst(), alone(prompts.get(i), SamplingParams.greedy(), 15, 0));
        }
        assertThat(mostActive.get()).isEqualTo(2);
        assertThat(mostQueued.get()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void stopStringsEndTheCompletionAndStreamedPiecesAddUpToTheText() throws Exception {
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults());
        int[] prompt = prompt("Tell me");
        String full = run(scheduler, GenerationRequest.greedy(prompt, 40)).getFirst().text();
        String stop = full.substring(12, 15);
        String expected = full.substring(0, full.indexOf(stop));

        GenerationRequest request = new GenerationRequest(prompt, SamplingParams.greedy(), 1, 40, 0, List.of("never there", stop));
        GenerationStream stream = new GenerationStream();
        scheduler.submit(request, stream);
        StringBuilder streamed = new StringBuilder();
        SequenceResult result;
        while (true) {
            GenerationEvent event = stream.take();
            if (event instanceof GenerationEvent.Token t) {
                streamed.append(t.text());
            } else if (event instanceof GenerationEvent.Finished f) {
                streamed.append(f.pendingText());
                result = f.result();
                break;
            }
        }

        assertThat(result.text()).isEqualTo(expected);
        assertThat(streamed).hasToString(expected);
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void anEndOfSequenceTokenStopsTheCompletionAndIsReported() throws Exception {
        int[] prompt = prompt("Tell me");
        Completion free = alone(prompt, SamplingParams.greedy(), 20, 0);
        int eos = free.tokens().get(6).token();
        int firstEos = List.of(free.tokens().stream().map(SampledToken::token).toArray(Integer[]::new)).indexOf(eos);
        DecoderModel model = new DecoderModel(dev.ingot.engine.model.ModelDefinition.of(dev.ingot.engine.builtin.LlamaArchitecture.llama(), RandomModel.SPEC.toBuilder().eosTokenIds(List.of(eos)).build()), new ScalarKernels());
        Scheduler scheduler = scheduler(model, store(1, WEIGHTS_A), SchedulerConfig.defaults());

        SequenceResult result = run(scheduler, GenerationRequest.greedy(prompt, 20)).getFirst();

        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(result.tokens()).isEqualTo(free.tokens().subList(0, firstEos + 1));
    }

    @Test
    void theModelsContextEndsACompletionLikeTheGenerator() throws Exception {
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults());
        int[] prompt = prompt("x".repeat(89));

        SequenceResult result = run(scheduler, GenerationRequest.greedy(prompt, 50)).getFirst();

        assertSame(result, alone(prompt, SamplingParams.greedy(), 50, 0));
        assertThat(result.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(prompt.length + result.tokens().size()).isEqualTo(RandomModel.SPEC.maxPositions() + 1);
    }

    @Test
    void finishPolicyKeepsRunningSequencesOnTheirWeightsAndNewOnesGetTheNewVersion() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        WeightGeneration v1 = store.peek();
        Scheduler scheduler = scheduler(RandomModel.model(), store, SchedulerConfig.defaults());
        int[] prompt = prompt("Before and after");
        GenerationStream second = new GenerationStream();
        AtomicInteger tokens = new AtomicInteger();
        List<Boolean> v1ReleasedWhileRunning = new ArrayList<>();
        GenerationStream first = new GenerationStream();
        scheduler.submit(GenerationRequest.greedy(prompt, 30), event -> {
            if (event instanceof GenerationEvent.Token && tokens.incrementAndGet() == 5) {
                store.swap(RandomModel.generation(2, WEIGHTS_B), SwapPolicy.FINISH);
                scheduler.submit(GenerationRequest.greedy(prompt, 30), second);
            } else if (event instanceof GenerationEvent.Token && tokens.get() > 5) {
                v1ReleasedWhileRunning.add(v1.isReleased());
            }
            first.on(event);
        });

        SequenceResult before = first.awaitResults(1).getFirst();
        SequenceResult after = second.awaitResults(1).getFirst();

        assertSame(before, alone(prompt, SamplingParams.greedy(), 30, 0));
        assertThat(before.weightVersions()).containsExactly(1L);
        assertSame(after, alone(prompt, SamplingParams.greedy(), 30, 0, t -> { }, store(2, WEIGHTS_B)));
        assertThat(after.weightVersions()).containsExactly(2L);
        assertThat(v1ReleasedWhileRunning).hasSize(25).containsOnly(false);
        assertThat(v1.isReleased()).as("the old generation is freed once its last sequence ends").isTrue();
    }

    /** Submits a 30-token greedy request whose 5th token swaps {@code store} to weights B (version 2). */
    private static GenerationStream swapAfterFiveTokens(Scheduler scheduler, WeightStore store, int[] prompt, SwapPolicy policy) {
        GenerationStream stream = new GenerationStream();
        AtomicInteger tokens = new AtomicInteger();
        scheduler.submit(GenerationRequest.greedy(prompt, 30), event -> {
            if (event instanceof GenerationEvent.Token && tokens.incrementAndGet() == 5) {
                store.swap(RandomModel.generation(2, WEIGHTS_B), policy);
            }
            stream.on(event);
        });
        return stream;
    }

    @Test
    void pausePolicyMovesRunningSequencesToTheNewWeightsAtTheNextStep() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        Scheduler scheduler = scheduler(RandomModel.model(), store, SchedulerConfig.defaults());
        int[] prompt = prompt("Before and after");
        GenerationStream stream = swapAfterFiveTokens(scheduler, store, prompt, SwapPolicy.PAUSE);
        SequenceResult result = stream.awaitResults(1).getFirst();

        // The generator pins the current generation at every step, so swapping after its 5th token is the same story.
        WeightStore reference = store(1, WEIGHTS_A);
        AtomicInteger referenceTokens = new AtomicInteger();
        Completion expected = alone(prompt, SamplingParams.greedy(), 30, 0, t -> {
            if (referenceTokens.incrementAndGet() == 5) {
                reference.swap(RandomModel.generation(2, WEIGHTS_B), SwapPolicy.PAUSE);
            }
        }, reference);
        assertSame(result, expected);
        assertThat(result.weightVersions()).containsExactly(1L, 2L);
        assertThat(result.tokens()).isNotEqualTo(alone(prompt, SamplingParams.greedy(), 30, 0).tokens());
    }

    /**
     * RECOMPUTE: the tokens before the swap are the old weights' own; every token after it is what a fresh
     * run of the new weights alone gives after the prompt and those tokens (its cache was rewritten with them).
     */
    @Test
    void recomputePolicyContinuesExactlyAsAFreshRunOnTheNewWeights() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        Scheduler scheduler = scheduler(RandomModel.model(), store, SchedulerConfig.defaults());
        int[] prompt = prompt("Before and after");
        GenerationStream stream = swapAfterFiveTokens(scheduler, store, prompt, SwapPolicy.RECOMPUTE);
        SequenceResult result = stream.awaitResults(1).getFirst();
        List<Integer> ids = result.tokens().stream().map(SampledToken::token).toList();

        List<Integer> onA = alone(prompt, SamplingParams.greedy(), 30, 0).tokens().stream().map(SampledToken::token).toList();
        assertThat(ids.subList(0, 5)).isEqualTo(onA.subList(0, 5));
        int[] prefix = java.util.Arrays.copyOf(prompt, prompt.length + 5);
        for (int i = 0; i < 5; i++) {
            prefix[prompt.length + i] = ids.get(i);
        }
        List<Integer> freshOnB = alone(prefix, SamplingParams.greedy(), 25, 0, t -> { }, store(2, WEIGHTS_B)).tokens().stream()
                .map(SampledToken::token).toList();
        assertThat(ids.subList(5, ids.size())).isEqualTo(freshOnB);
        assertThat(result.weightVersions()).containsExactly(1L, 2L);
        // PAUSE keeps A's cache under B's queries, so it parts from the fresh run somewhere: RECOMPUTE is not PAUSE
        WeightStore pausing = store(1, WEIGHTS_A);
        Scheduler other = scheduler(RandomModel.model(), pausing, SchedulerConfig.defaults());
        List<Integer> paused = swapAfterFiveTokens(other, pausing, prompt, SwapPolicy.PAUSE).awaitResults(1).getFirst().tokens()
                .stream().map(SampledToken::token).toList();
        assertThat(paused).isNotEqualTo(ids);
    }

    @Test
    void abortPolicyEndsRunningSequencesAtTheSwap() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        Scheduler scheduler = scheduler(RandomModel.model(), store, SchedulerConfig.defaults());
        int[] prompt = prompt("Before and after");
        GenerationStream stream = swapAfterFiveTokens(scheduler, store, prompt, SwapPolicy.ABORT);

        SequenceResult result = stream.awaitResults(1).getFirst();

        assertThat(result.finishReason()).isEqualTo(FinishReason.WEIGHTS_UPDATED);
        assertThat(result.tokens()).isEqualTo(alone(prompt, SamplingParams.greedy(), 30, 0).tokens().subList(0, 5));
        assertThat(result.weightVersions()).containsExactly(1L);
        SequenceResult next = run(scheduler, GenerationRequest.greedy(prompt, 3)).getFirst();
        assertThat(next.weightVersions()).containsExactly(2L);
    }

    @Test
    void aCancelledRequestEndsAtTheNextStepAndOthersGoOn() throws Exception {
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults());
        int[] prompt = prompt("Cancel me");
        GenerationStream stream = new GenerationStream();
        AtomicInteger tokens = new AtomicInteger();
        AtomicLong handleId = new AtomicLong();
        RequestHandle[] handle = new RequestHandle[1];
        synchronized (handle) {
            handle[0] = scheduler.submit(GenerationRequest.greedy(prompt, 60), event -> {
                if (event instanceof GenerationEvent.Token && tokens.incrementAndGet() == 3) {
                    synchronized (handle) {
                        handle[0].cancel();
                        handleId.set(handle[0].id());
                    }
                }
                stream.on(event);
            });
        }
        GenerationStream other = new GenerationStream();
        scheduler.submit(GenerationRequest.greedy(prompt, 20), other);

        SequenceResult cancelled = stream.awaitResults(1).getFirst();

        assertThat(cancelled.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(cancelled.tokens()).hasSize(3);
        assertSame(other.awaitResults(1).getFirst(), alone(prompt, SamplingParams.greedy(), 20, 0));
    }

    @Test
    void requestsThatCannotFitAreRefusedWithAReason() {
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults().withMaxBatch(4));
        GenerationStream stream = new GenerationStream();
        assertThatThrownBy(() -> scheduler.submit(GenerationRequest.greedy(prompt("y".repeat(95)), 5), stream))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the prompt has 96 tokens; the model's context is 96 tokens, so at most 95 fit before the completion");
        assertThatThrownBy(() -> scheduler.submit(GenerationRequest.greedy(new int[] {1, 259}, 5), stream))
                .hasMessage("prompt token 1 is 259, outside the vocabulary (0..258)");
        assertThatThrownBy(() -> scheduler.submit(GenerationRequest.greedy(new int[0], 5), stream))
                .hasMessage("the prompt is empty and the model has no BOS token to start from");
        assertThatThrownBy(() -> scheduler.submit(new GenerationRequest(prompt("a"), SamplingParams.greedy(), 5, 5, 0, List.of()), stream))
                .hasMessage("n = 5 exceeds the 4 sequences this server runs at once");
    }

    @Test
    void shutdownLetsRunningRequestsFinishWithinTheGraceAndThenRefusesNewOnes() throws Exception {
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults());
        GenerationStream stream = new GenerationStream();
        scheduler.submit(GenerationRequest.greedy(prompt("Finish me"), 10), stream);

        assertThat(scheduler.shutdown(Duration.ofSeconds(30))).isTrue();

        assertThat(stream.awaitResults(1).getFirst().finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThatThrownBy(() -> scheduler.submit(GenerationRequest.greedy(prompt("Too late"), 10), stream))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessage("the server is shutting down and takes no new requests");
    }

    @Test
    void shutdownCancelsWhatIsStillRunningAfterTheGrace() throws Exception {
        Scheduler scheduler = scheduler(RandomModel.model(), store(1, WEIGHTS_A), SchedulerConfig.defaults().withMaxBatch(1));
        GenerationStream running = new GenerationStream();
        GenerationStream queued = new GenerationStream();
        // The random model writes 90 tokens in a few milliseconds, which a loaded machine can spend
        // between two lines of this test: the first token holds the scheduler thread well past the grace.
        AtomicInteger heard = new AtomicInteger();
        scheduler.submit(GenerationRequest.greedy(prompt("Long"), 90), event -> {
            running.on(event);
            if (heard.getAndIncrement() == 0) {
                LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
            }
        });
        scheduler.submit(GenerationRequest.greedy(prompt("Queued"), 90), queued);
        running.take(); // wait until it is generating

        assertThat(scheduler.shutdown(Duration.ofMillis(1))).isFalse();

        assertThat(running.awaitResults(1).getFirst().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(queued.awaitResults(1).getFirst().finishReason()).isEqualTo(FinishReason.CANCELLED);
    }

    /** The real scalar kernels, with {@link #parallelFor} running every task on a pool of other threads. */
    private static final class ThreadedKernels implements Kernels {
        private final ScalarKernels inner = new ScalarKernels();
        private final java.util.concurrent.ExecutorService pool;
        private final int threads;
        final AtomicInteger tasksOffCaller = new AtomicInteger();

        ThreadedKernels(int threads) {
            this.threads = threads;
            this.pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        }

        @Override
        public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
            inner.matmul(w, x, out, batch);
        }

        @Override
        public void parallelFor(int tasks, java.util.function.IntConsumer task) {
            Thread caller = Thread.currentThread();
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int t = i;
                running.add(pool.submit(() -> {
                    if (Thread.currentThread() != caller) {
                        tasksOffCaller.incrementAndGet();
                    }
                    task.accept(t);
                }));
            }
            for (java.util.concurrent.Future<?> f : running) {
                try {
                    f.get();
                } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public int threads() {
            return threads;
        }

        @Override
        public String describe() {
            return "threaded " + inner.describe();
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    /** The real scalar kernels, counting how many rows pass through layer 0's query projection. */
    private static final class CountingKernels implements Kernels {
        private final ScalarKernels inner = new ScalarKernels();
        final AtomicInteger rowsThroughFirstQuery = new AtomicInteger();

        @Override
        public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
            if (w.name().equals(HfNames.q(0))) {
                rowsThroughFirstQuery.addAndGet(batch);
            }
            inner.matmul(w, x, out, batch);
        }

        @Override
        public String describe() {
            return "counting " + inner.describe();
        }
    }
}
