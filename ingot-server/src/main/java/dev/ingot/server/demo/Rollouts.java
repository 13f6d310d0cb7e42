package dev.ingot.server.demo;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.Utf8Accumulator;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Runs a set of prompts greedily (so a change in the weights is the only thing that changes the text)
 * and reports each rollout with its log-probabilities and weight versions.
 *
 * <p>One sequence at a time through {@link Generator} until the continuous-batching scheduler is on
 * main; then {@link #run} submits the whole batch to it (the only change the demo needs).
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
    private final int maxTokens;

    Rollouts(LoadedModel model, int maxTokens) {
        this.model = model;
        this.maxTokens = maxTokens;
    }

    Batch run(List<String> prompts, DemoOutput.Progress progress) throws InterruptedException {
        long start = System.nanoTime();
        Generator generator = new Generator(model);
        List<Rollout> out = new ArrayList<>();
        for (String prompt : prompts) {
            Completion completion = generator.generate(generator.encodePrompt(prompt), SamplingParams.greedy(), maxTokens, 0,
                    token -> { });
            List<Long> versions = LongStream.of(completion.firstWeightVersion(), completion.lastWeightVersion()).boxed().toList();
            out.add(new Rollout(prompt, decode(model.tokenizer(), completion.tokens()), completion.tokens(),
                    completion.finishReason().apiName(), versions));
            progress.advance();
        }
        return new Batch(out, System.nanoTime() - start);
    }

    /** One token's text on its own; a control token (EOS), which adds no text, by its vocabulary entry. */
    String piece(int token) {
        byte[] bytes = model.tokenizer().decode(-1, token);
        return bytes.length == 0 ? model.tokenizer().piece(token) : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String decode(Tokenizer tokenizer, List<SampledToken> tokens) {
        Utf8Accumulator text = new Utf8Accumulator();
        StringBuilder out = new StringBuilder();
        int previous = -1;
        for (SampledToken token : tokens) {
            out.append(text.add(tokenizer.decode(previous, token.token())));
            previous = token.token();
        }
        return out.append(text.flush()).toString();
    }

    @Override
    public void close() {}
}
