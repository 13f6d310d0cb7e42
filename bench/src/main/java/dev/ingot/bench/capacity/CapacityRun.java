package dev.ingot.bench.capacity;

import dev.ingot.bench.serve.RandomLlama;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kv.KvCacheConfig;
import dev.ingot.engine.kv.KvCacheStats;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.engine.schedule.GenerationStream;
import dev.ingot.engine.schedule.Scheduler;
import dev.ingot.engine.schedule.SchedulerConfig;
import dev.ingot.engine.weights.WeightStore;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child JVM of {@code bench/run capacity} (started with {@code -Xmx256m}): builds the scenario's model with
 * random BF16 weights off the heap, runs its sequences through the scheduler to their last position, and
 * prints one {@code RESULT key=value ...} line with what the heap, the KV cache and the clock saw.
 */
public final class CapacityRun {

    /** Prompt tokens computed per scheduler step, as {@code ingot serve}'s default chunk. */
    private static final int PREFILL_TOKENS = 512;

    private CapacityRun() {}

    public static void main(String[] args) throws Exception {
        CapacityScenario scenario = CapacityScenario.parse(args);
        PrintStream out = System.out;
        RandomLlama llama = new RandomLlama(scenario.spec());
        long buildStart = System.nanoTime();
        try (HeapWatch heap = new HeapWatch(); StageClock kernels = new StageClock(Kernels.best());
                WeightStore store = new WeightStore(llama.generation(1))) {
            out.printf("child: %s, %.2fB parameters (%.2f GB BF16, off the heap) made in %.1f s; max heap %d MiB; %s%n",
                    llama.describe(), llama.parameters() / 1e9, llama.bytes() / 1e9, (System.nanoTime() - buildStart) / 1e9,
                    HeapWatch.maxHeap() >> 20, kernels.describe());
            out.flush();
            DecoderModel model = new DecoderModel(llama.definition(), kernels);
            SchedulerConfig config = new SchedulerConfig(scenario.sequences(), PREFILL_TOKENS,
                    new KvCacheConfig(scenario.dtype(), scenario.budgetBytes()));
            AtomicLong tokens = new AtomicLong();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            long start = System.nanoTime();
            try (Scheduler scheduler = Scheduler.start(model, store, llama.tokenizer(), config)) {
                List<GenerationStream> streams = new ArrayList<>();
                int requests = scenario.shared() ? 1 : scenario.sequences();
                int choices = scenario.shared() ? scenario.sequences() : 1;
                for (int r = 0; r < requests; r++) {
                    GenerationStream stream = new GenerationStream();
                    GenerationRequest request = new GenerationRequest(llama.prompt(scenario.prompt(), 100 + r),
                            new SamplingParams(1.0, 1.0, 0, 7 + r), choices, scenario.newTokens(), 0, List.of());
                    scheduler.submit(request, event -> {
                        switch (event) {
                            case GenerationEvent.Token t -> tokens.incrementAndGet();
                            case GenerationEvent.Failed f -> failures.add(f.message());
                            default -> { }
                        }
                        stream.on(event);
                    });
                    streams.add(stream);
                }
                KvWatch kv = new KvWatch(scheduler, out);
                for (GenerationStream stream : streams) {
                    stream.awaitResults(choices);
                }
                kv.close();
                double seconds = (System.nanoTime() - start) / 1e9;
                KvCacheStats stats = scheduler.kvCacheStats();
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("seconds", String.format("%.1f", seconds));
                result.put("steps", scheduler.steps());
                result.put("tokens", tokens.get());
                result.put("expectedTokens", (long) scenario.sequences() * scenario.newTokens());
                result.put("failures", failures.size());
                result.put("firstFailure", failures.isEmpty() ? "-" : failures.peek().replace(' ', '_'));
                result.put("matmulSeconds", String.format("%.1f", kernels.matmulNanos() / 1e9));
                result.put("attentionSeconds", String.format("%.1f", kernels.attentionNanos() / 1e9));
                result.put("blockBytes", stats.blockBytes());
                result.put("blocksTotal", stats.blocksTotal());
                result.put("blocksUsedMax", kv.maxUsed());
                result.put("blocksTouchedMax", kv.maxTouched());
                result.put("preemptions", stats.preemptions());
                result.put("heapPeak", heap.maxUsed());
                result.put("heapLiveMax", heap.maxLiveAfterGc());
                result.put("heapMax", HeapWatch.maxHeap());
                result.put("rssPeak", HeapWatch.peakResidentBytes());
                result.put("weightBytes", llama.bytes());
                StringBuilder line = new StringBuilder("RESULT");
                result.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
                out.println(line);
            }
        }
    }

    /** Samples the KV pool every 50 ms: the most blocks held at once (and with the prefix cache's), and a progress line every 30 s. */
    private static final class KvWatch implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        private volatile int maxUsed;
        private volatile int maxTouched;

        KvWatch(Scheduler scheduler, PrintStream out) {
            long start = System.nanoTime();
            thread = Thread.ofPlatform().daemon().name("kv-watch").start(() -> {
                long nextReport = 30;
                while (!stop) {
                    KvCacheStats stats = scheduler.kvCacheStats();
                    maxUsed = Math.max(maxUsed, stats.blocksUsed());
                    maxTouched = Math.max(maxTouched, stats.blocksUsed() + stats.blocksCached());
                    long elapsed = (System.nanoTime() - start) / 1_000_000_000;
                    if (elapsed >= nextReport) {
                        out.printf("child: %d s, %d steps, %d of %d KV blocks held, %d preemptions, %d running, %d queued%n", elapsed,
                                scheduler.steps(), stats.blocksUsed(), stats.blocksTotal(), stats.preemptions(),
                                scheduler.runningSequences(), scheduler.queuedRequests());
                        out.flush();
                        nextReport += 30;
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        int maxUsed() {
            return maxUsed;
        }

        /** Blocks held or kept by the prefix cache: what the pool's memory holds. */
        int maxTouched() {
            return maxTouched;
        }

        @Override
        public void close() {
            stop = true;
            thread.interrupt();
        }
    }
}
