package dev.ingot.bench.quant;

import dev.ingot.bench.model.DecodeProbe;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One Ingot measurement of one file in {@code bench/run quant}: batch-1 decode ({@link DecodeProbe}) or the prefill
 * of one prompt ({@link PrefillProbe}). It travels to a child JVM as command-line arguments ({@link #toArgs()},
 * {@link #parse}) and is measured there by {@link ProbeMain}, or here with {@code --same-jvm}.
 *
 * @param tokens decode steps timed, or prompt tokens prefilled
 */
record IngotProbe(Kind kind, Path file, Path plugins, int threads, int tokens) {

    enum Kind { DECODE, PREFILL }

    /** Decode steps before the timed ones, in each warm-up pass. */
    private static final int WARM_UP_STEPS = 16;
    /** Timed prefill passes (after the untimed warm-up ones); the best one counts. */
    private static final int PREFILL_PASSES = 3;

    List<String> toArgs() {
        return List.of(kind.name(), file.toString(), plugins.toString(), String.valueOf(threads), String.valueOf(tokens));
    }

    static IngotProbe parse(String[] args) {
        if (args.length != 5) {
            throw new IllegalArgumentException("expected DECODE|PREFILL FILE PLUGINS THREADS TOKENS, got " + List.of(args));
        }
        return new IngotProbe(Kind.valueOf(args[0]), Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]),
                Integer.parseInt(args[4]));
    }

    /** Measures in this JVM. */
    ProbeOutcome.Measured measureHere() throws Exception {
        return switch (kind) {
            case DECODE -> {
                // no tokenizer: each GGUF file carries its vocabulary
                DecodeProbe.Result r = DecodeProbe.run(file, null, plugins, threads, WARM_UP_STEPS, tokens);
                yield new ProbeOutcome.Measured(r.tokensPerSecond(), r.bytesPerToken());
            }
            case PREFILL -> new ProbeOutcome.Measured(PrefillProbe.tokensPerSecond(file, plugins, threads, tokens, PREFILL_PASSES), 0);
        };
    }

    /** How the report names it: "decode" or "prefill". */
    String label() {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
