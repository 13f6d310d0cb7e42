package dev.ingot.engine.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.kv.KvCacheConfig;
import dev.ingot.engine.kv.KvCacheStats;
import dev.ingot.engine.kv.KvDtype;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.testing.ByteTokenizer;
import dev.ingot.engine.testing.RandomModel;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.testkit.SharedModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The scheduler over a budgeted, paged KV cache: outputs must not change when prompts share blocks, when
 * the budget forces requests to queue and sequences to be preempted and recomputed, or when a prefix is
 * found in the cache — against run.c's reference texts and against the single-sequence generator, whose
 * cache is private and never shared.
 */
class PagedSchedulingTest extends SchedulerFixture {

    /** RandomModel: 2 layers x (keys + values) x 16 positions x kvDim 16 x 4 bytes. */
    private static final long RANDOM_BLOCK = 4096;
    /** stories260K: 5 layers x 2 x 16 positions x kvDim 32 x 4 bytes. */
    private static final long STORIES_BLOCK = 20480;

    private Scheduler scheduler(WeightStore store, int maxBatch, long kvBytes) {
        return scheduler(RandomModel.model(), store, new SchedulerConfig(maxBatch, 16, new KvCacheConfig(KvDtype.F32, kvBytes)));
    }

    private int[] prompt(int length, int salt) {
        int[] p = new int[length];
        p[0] = ByteTokenizer.BOS;
        for (int i = 1; i < length; i++) {
            p[i] = 'a' + (i * 7 + salt * 13) % 26;
        }
        return p;
    }

    private Completion alone(int[] prompt, SamplingParams params, int maxTokens, WeightStore store) {
        return new Generator(RandomModel.model(), store, tokenizer).generate(prompt, params, maxTokens, 0, t -> { });
    }

    @Test
    void referenceTextsComeOutWhenChoicesShareTheirPromptAndTheBudgetForcesPreemption() throws Exception {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()))) {
            // 4 sequences of 256 positions need 64 blocks; 20 make them take turns.
            Scheduler scheduler = Scheduler.start(loaded, new SchedulerConfig(8, 64, new KvCacheConfig(KvDtype.F32, 20 * STORIES_BLOCK)));
            closedAfterTest(scheduler);
            Generator generator = new Generator(loaded);
            int[] once = generator.encodePrompt("Once upon a time");
            int[] empty = generator.encodePrompt("");
            GenerationStream onceStream = new GenerationStream();
            GenerationStream emptyStream = new GenerationStream();
            scheduler.submit(new GenerationRequest(once, SamplingParams.greedy(), 2, 252, 0, List.of()), onceStream);
            scheduler.submit(new GenerationRequest(empty, SamplingParams.greedy(), 2, 256, 0, List.of()), emptyStream);

            for (SequenceResult r : onceStream.awaitResults(2)) {
                assertThat(text(loaded, once, r)).as("choice %d", r.choice()).isEqualTo(SharedModels.referenceOnceUponATime());
            }
            for (SequenceResult r : emptyStream.awaitResults(2)) {
                assertThat(text(loaded, empty, r)).as("choice %d", r.choice()).isEqualTo(SharedModels.referenceEmptyPrompt());
            }
            KvCacheStats stats = scheduler.kvCacheStats();
            assertThat(stats.blocksTotal()).isEqualTo(20);
            assertThat(stats.preemptions()).as("the budget was too small for all four at once").isPositive();
            assertThat(stats.blocksUsed()).as("every block is let go at the end").isZero();
        }
    }

    @Test
    void aPromptFoundInThePrefixCacheContinuesAsRunCsReference() throws Exception {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()))) {
            Scheduler scheduler = Scheduler.start(loaded, new SchedulerConfig(8, 64, new KvCacheConfig(KvDtype.F32, 64 * STORIES_BLOCK)));
            closedAfterTest(scheduler);
            Generator generator = new Generator(loaded);
            int[] once = generator.encodePrompt("Once upon a time");
            int[] story = generator.generate(once, SamplingParams.greedy(), 252, 0, t -> { }).tokenIds();
            // The prompt plus the story's first 45 tokens: 50 positions, three full blocks to share.
            int[] prompt = Arrays.copyOf(once, once.length + 45);
            System.arraycopy(story, 0, prompt, once.length, 45);

            List<Long> hits = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                GenerationStream stream = new GenerationStream();
                scheduler.submit(GenerationRequest.greedy(prompt, 252 - 45), stream);
                SequenceResult result = stream.awaitResults(1).getFirst();
                assertThat(text(loaded, prompt, result)).as("round %d", round).isEqualTo(SharedModels.referenceOnceUponATime());
                hits.add(scheduler.kvCacheStats().prefixHitTokens());
            }
            assertThat(hits).containsExactly(0L, 48L);
            assertThat(scheduler.kvCacheStats().prefixLookupTokens()).isEqualTo(2L * prompt.length);
        }
    }

    @Test
    void sampledChoicesDivergingInTheirSharedLastBlockDoNotSeeEachOther() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        Scheduler scheduler = scheduler(store, 8, 64 * RANDOM_BLOCK);
        int[] prompt = prompt(20, 1); // one full block and 4 positions of the next, shared by the choices
        GenerationRequest request = new GenerationRequest(prompt, new SamplingParams(1.0, 1.0, 0, 77), 3, 40, 0, List.of());
        List<Integer> blocksAtFirstToken = new CopyOnWriteArrayList<>();
        GenerationStream stream = new GenerationStream();
        scheduler.submit(request, event -> {
            if (event instanceof GenerationEvent.Token t && t.token() != null && blocksAtFirstToken.size() < 3) {
                blocksAtFirstToken.add(scheduler.kvCacheStats().blocksUsed());
            }
            stream.on(event);
        });

        List<SequenceResult> results = stream.awaitResults(3);

        List<List<Integer>> distinct = new ArrayList<>();
        for (SequenceResult r : results) {
            Completion solo = alone(prompt, request.choiceSampling(r.choice()), 40, store(1, WEIGHTS_A));
            assertThat(r.tokens()).as("choice %d", r.choice()).isEqualTo(solo.tokens());
            distinct.add(r.tokenIds().length == 0 ? List.of() : Arrays.stream(r.tokenIds()).boxed().toList());
        }
        assertThat(distinct.stream().map(t -> t.getFirst()).distinct().count()).as("the choices diverge at once").isGreaterThan(1);
        assertThat(blocksAtFirstToken).as("three choices hold the prompt's two blocks once").containsOnly(2);
    }

    @Test
    void aTinyBudgetQueuesAndPreemptsAndEveryOutputStaysTheSame() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        // Each request needs 3 blocks for its prompt and 6 by its end; 9 blocks hold one and a half of them.
        Scheduler scheduler = scheduler(store, 8, 9 * RANDOM_BLOCK);
        List<GenerationRequest> requests = new ArrayList<>();
        List<GenerationStream> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            GenerationRequest request = new GenerationRequest(prompt(35, i), new SamplingParams(0.9, 1.0, 0, 100 + i), 1, 50, 0, List.of());
            GenerationStream stream = new GenerationStream();
            scheduler.submit(request, stream);
            requests.add(request);
            streams.add(stream);
        }
        for (int i = 0; i < requests.size(); i++) {
            GenerationRequest request = requests.get(i);
            SequenceResult result = streams.get(i).awaitResults(1).getFirst();
            Completion solo = alone(request.prompt(), request.sampling(), 50, store(1, WEIGHTS_A));
            assertThat(result.tokens()).as("request %d", i).isEqualTo(solo.tokens());
        }
        assertThat(scheduler.kvCacheStats().preemptions()).isPositive();
        assertThat(scheduler.kvCacheStats().blocksUsed()).isZero();
    }

    @Test
    void aRequestBiggerThanTheBudgetFailsAloneAndTheOthersComplete() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        Scheduler scheduler = scheduler(store, 8, 4 * RANDOM_BLOCK);

        assertThatThrownBy(() -> scheduler.submit(GenerationRequest.greedy(prompt(70, 0), 5), new GenerationStream()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the prompt of 70 tokens with n = 1 needs 5 KV blocks of 16 positions (0.0 MiB); the KV cache"
                        + " budget (--kv-cache-bytes) holds 4 (0.0 MiB)");

        // This one fits when admitted but outgrows the whole budget at its 65th position.
        GenerationStream growing = new GenerationStream();
        scheduler.submit(GenerationRequest.greedy(prompt(10, 1), 80), growing);
        GenerationStream small = new GenerationStream();
        int[] smallPrompt = prompt(5, 2);
        scheduler.submit(GenerationRequest.greedy(smallPrompt, 30), small);

        assertThatThrownBy(() -> growing.awaitResults(1)).isInstanceOf(GenerationFailedException.class)
                .hasMessageContaining("the sequence needs more KV cache than the budget (--kv-cache-bytes) holds: position 64");
        assertThat(small.awaitResults(1).getFirst().tokens())
                .isEqualTo(alone(smallPrompt, SamplingParams.greedy(), 30, store(1, WEIGHTS_A)).tokens());

        GenerationStream after = new GenerationStream();
        scheduler.submit(GenerationRequest.greedy(smallPrompt, 30), after);
        assertThat(after.awaitResults(1).getFirst().finishReason()).as("the scheduler keeps serving").isNotNull();
    }

    @Test
    void aSwapInvalidatesThePrefixCache() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        Scheduler scheduler = scheduler(store, 8, 64 * RANDOM_BLOCK);
        int[] prompt = prompt(40, 3); // two full blocks may come from the cache

        SequenceResult first = run(scheduler, GenerationRequest.greedy(prompt, 20));
        SequenceResult again = run(scheduler, GenerationRequest.greedy(prompt, 20));
        KvCacheStats beforeSwap = scheduler.kvCacheStats();
        assertThat(beforeSwap.prefixHitTokens()).isEqualTo(32);
        assertThat(again.tokens()).isEqualTo(first.tokens());

        store.swap(RandomModel.generation(2, WEIGHTS_B), SwapPolicy.FINISH);
        SequenceResult afterSwap = run(scheduler, GenerationRequest.greedy(prompt, 20));

        assertThat(afterSwap.weightVersions()).containsExactly(2L);
        assertThat(afterSwap.tokens()).isEqualTo(alone(prompt, SamplingParams.greedy(), 20, store(2, WEIGHTS_B)).tokens());
        assertThat(afterSwap.tokens()).as("the weights really differ").isNotEqualTo(first.tokens());
        KvCacheStats afterStats = scheduler.kvCacheStats();
        assertThat(afterStats.prefixHitTokens()).as("nothing from version 1 was reused").isEqualTo(32);
        assertThat(afterStats.prefixLookupTokens()).isEqualTo(3L * prompt.length);

        SequenceResult repeat = run(scheduler, GenerationRequest.greedy(prompt, 20));
        assertThat(repeat.tokens()).isEqualTo(afterSwap.tokens());
        assertThat(scheduler.kvCacheStats().prefixHitTokens()).as("version 2's own blocks are").isEqualTo(64);
    }

    @Test
    void recomputeAfterASwapRebuildsFromTheNewVersionsBlocks() throws Exception {
        WeightStore store = store(1, WEIGHTS_A);
        Scheduler scheduler = scheduler(store, 8, 64 * RANDOM_BLOCK);
        int[] prompt = prompt(40, 4);
        GenerationStream stream = new GenerationStream();
        java.util.concurrent.atomic.AtomicInteger tokens = new java.util.concurrent.atomic.AtomicInteger();
        scheduler.submit(GenerationRequest.greedy(prompt, 30), event -> {
            if (event instanceof GenerationEvent.Token && tokens.incrementAndGet() == 5) {
                store.swap(RandomModel.generation(2, WEIGHTS_B), SwapPolicy.RECOMPUTE);
            }
            stream.on(event);
        });
        SequenceResult result = stream.awaitResults(1).getFirst();

        // A fresh run on B of the prompt and the first five tokens (which A chose) continues as the sequence did.
        Completion onA = alone(prompt, SamplingParams.greedy(), 30, store(1, WEIGHTS_A));
        int[] continued = Arrays.copyOf(prompt, prompt.length + 5);
        for (int i = 0; i < 5; i++) {
            continued[prompt.length + i] = onA.tokens().get(i).token();
        }
        Completion onB = alone(continued, SamplingParams.greedy(), 25, store(2, WEIGHTS_B));
        assertThat(result.tokens().subList(0, 5)).isEqualTo(onA.tokens().subList(0, 5));
        assertThat(result.tokenIds()).endsWith(onB.tokenIds());
        assertThat(result.weightVersions()).containsExactly(1L, 2L);
    }

    private static SequenceResult run(Scheduler scheduler, GenerationRequest request) throws InterruptedException {
        GenerationStream stream = new GenerationStream();
        scheduler.submit(request, stream);
        return stream.awaitResults(request.n()).getFirst();
    }

    /** The whole text after BOS, as run.c prints it: prompt and completion. */
    private static String text(LoadedModel loaded, int[] prompt, SequenceResult result) {
        int[] all = new int[prompt.length - 1 + result.tokenIds().length];
        System.arraycopy(prompt, 1, all, 0, prompt.length - 1);
        System.arraycopy(result.tokenIds(), 0, all, prompt.length - 1, result.tokenIds().length);
        return loaded.tokenizer().decode(prompt[0], all);
    }
}
