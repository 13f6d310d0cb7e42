package dev.ingot.server.cli;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.generate.Utf8Accumulator;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.weights.WeightGeneration;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ingot generate}: prints the prompt followed by the generated text, as llama2.c's run does. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt with any checkpoint a plugin can open.")
public final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", defaultValue = "", paramLabel = "TEXT", description = "Prompt text (default: empty, BOS only).")
    String prompt;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.9", paramLabel = "P", description = "Nucleus sampling (default: ${DEFAULT-VALUE}; 1 = off).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", description = "Keep the K most likely tokens (default: 0 = off).")
    int topK;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: from the clock).")
    Long seed;

    @Option(names = "--max-tokens", defaultValue = "256", paramLabel = "N", description = "Tokens to generate at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--stats", description = "Print load time, tokens/s, kernels and bytes per token to stderr.")
    boolean stats;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        long seedValue = seed != null ? seed : System.nanoTime();
        SamplingParams params = new SamplingParams(temperature, topP, topK, seedValue);
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel loaded = ModelLoader.load(modelOptions.toLoadOptions())) {
            Generator generator = new Generator(loaded).withKvCache(modelOptions.kvCacheConfig());
            int[] promptTokens = generator.encodePrompt(prompt);
            Utf8Accumulator text = new Utf8Accumulator();
            AtomicInteger previous = new AtomicInteger(-1);
            for (int token : promptTokens) {
                out.print(text.add(loaded.tokenizer().decode(previous.getAndSet(token), token)));
            }
            out.flush();
            long start = System.nanoTime();
            AtomicLong firstTokenAt = new AtomicLong();
            Completion completion = generator.generate(promptTokens, params, maxTokens, 0, sampled -> {
                if (firstTokenAt.get() == 0) {
                    firstTokenAt.set(System.nanoTime());
                }
                out.print(text.add(loaded.tokenizer().decode(previous.getAndSet(sampled.token()), sampled.token())));
                out.flush();
            });
            long end = System.nanoTime();
            out.println(text.flush());
            out.flush();
            if (stats) {
                printStats(loaded, promptTokens.length, completion, seedValue, start, firstTokenAt.get(), end);
            }
        }
        return 0;
    }

    private void printStats(LoadedModel loaded, int promptTokens, Completion completion, long seedValue,
            long start, long firstToken, long end) {
        PrintWriter err = spec.commandLine().getErr();
        WeightGeneration generation = loaded.weights().acquire();
        long bytesPerToken;
        String storage;
        try {
            bytesPerToken = DecoderWeights.of(generation).bytesPerToken();
            storage = dev.ingot.engine.weights.WeightStorage.describe(generation);
        } finally {
            generation.unpin();
        }
        int decoded = Math.max(0, completion.tokens().size() - 1);
        double prefillSeconds = (firstToken - start) / 1e9;
        double decodeSeconds = (end - firstToken) / 1e9;
        err.printf("load:     %.3f s (%s via plugin %s)%n", loaded.loadTime().toNanos() / 1e9,
                loaded.format().format().name(), loaded.format().pluginName());
        err.printf("prompt:   %d tokens, %.1f tokens/s (incl. first token)%n", promptTokens, promptTokens / prefillSeconds);
        err.printf("decode:   %d tokens, %.1f tokens/s%n", decoded, decoded == 0 ? 0.0 : decoded / decodeSeconds);
        err.printf("kernels:  %s%n", loaded.model().kernels().describe());
        err.printf("weights:  %.1f MB read per token, version %d, matrices %s%n", bytesPerToken / 1e6,
                completion.lastWeightVersion(), storage);
        err.printf("sampling: temperature %s, top-p %s, top-k %d, seed %d, finish %s%n", temperature, topP, topK, seedValue,
                completion.finishReason().apiName());
        err.flush();
    }
}
