package dev.ingot.server.demo;

import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.engine.schedule.GenerationStream;
import dev.ingot.engine.schedule.Scheduler;
import dev.ingot.engine.schedule.SchedulerConfig;
import dev.ingot.engine.schedule.SequenceResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a set of prompts as one batch through the continuous-batching scheduler, greedily (so a change in
 * the weights is the only thing that changes the text), and reports each rollout with its
 * log-probabilities and the weight versions it was computed with.
 */
final class Rollouts implements AutoCloseable {

    /** A batch's rollouts and how long it took. */
    record Batch(List<Rollout> rollouts, long nanos) {

        int tokens() {
            return rollouts.stream().mapToInt(r -> r.tokens().size()).sum();
        }

        double tokensPerSecond() {
            return nanos == 0 ? 0 : tokens() / (nanos / 1e9);
        }
    }

    private final LoadedModel model;
    private final Generator prompts;
    private final Scheduler scheduler;
    private final int maxTokens;

    Rollouts(LoadedModel model, int maxTokens) {
        this.model = model;
        this.prompts = new Generator(model);
        this.scheduler = Scheduler.start(model, SchedulerConfig.defaults());
        this.maxTokens = maxTokens;
    }

    /** Submits every prompt at once (they decode together, one forward pass per step for all) and waits for all. */
    Batch run(List<String> texts, DemoOutput.Progress progress) throws InterruptedException {
        long start = System.nanoTime();
        List<GenerationStream> streams = new ArrayList<>();
        for (String text : texts) {
            GenerationStream stream = new GenerationStream();
            scheduler.submit(new GenerationRequest(prompts.encodePrompt(text), SamplingParams.greedy(), 1, maxTokens, 0, List.of()),
                    stream);
            streams.add(stream);
        }
        List<Rollout> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            SequenceResult result = streams.get(i).awaitResults(1).getFirst();
            out.add(new Rollout(texts.get(i), result.text(), result.tokens(), result.finishReason().apiName(), result.weightVersions()));
            progress.advance();
        }
        return new Batch(out, System.nanoTime() - start);
    }

    /** One token's text on its own; a control token (EOS), which adds no text, by its vocabulary entry. */
    String piece(int token) {
        byte[] bytes = model.tokenizer().decode(-1, token);
        return bytes.length == 0 ? model.tokenizer().piece(token) : new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        scheduler.close();
    }
}
