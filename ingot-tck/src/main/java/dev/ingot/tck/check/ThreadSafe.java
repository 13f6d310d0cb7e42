package dev.ingot.tck.check;

import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * ERR-3: several threads detecting, opening and loading the samples at once, through one shared
 * format instance, get what a single thread gets: the same tier and the same canonical bytes.
 */
public final class ThreadSafe implements Check {

    private static final int THREADS = 4;
    private static final int ROUNDS = 3;

    @Override
    public Rule rule() {
        return Rule.ERR_3;
    }

    @Override
    public Outcome run(TckContext ctx) throws Exception {
        ctx.requirePassed(Rule.OPEN_5);
        List<String> problems = new ArrayList<>();
        for (Sample sample : ctx.samples()) {
            FormatChoice format = ctx.formatOf(sample);
            String expected = once(ctx, format, sample);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < THREADS * ROUNDS; i++) {
                    results.add(pool.submit(() -> once(ctx, format, sample)));
                }
                for (Future<String> f : results) {
                    try {
                        String got = f.get(120, TimeUnit.SECONDS);
                        if (!got.equals(expected)) {
                            problems.add("sample " + sample + ": a concurrent load gave " + got + ", a single one " + expected);
                        }
                    } catch (java.util.concurrent.ExecutionException e) {
                        problems.add("sample " + sample + ": a concurrent detect/open/load failed: " + e.getCause());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return problems.isEmpty()
                ? Check.pass(THREADS + " threads x " + ROUNDS + " rounds of detect, open and load per sample gave identical results")
                : Check.failAll("concurrent use gives different results:", problems.stream().distinct().toList());
    }

    /** Detects, opens and loads the sample; returns the tier and a digest of the canonical weights. */
    private static String once(TckContext ctx, FormatChoice format, Sample sample) throws Exception {
        Detection detection = ctx.detect(format, sample.path());
        try (OpenedCheckpoint opened = ctx.open(sample); Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> weights = new TreeMap<>(opened.canonicalWeights(arena));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Tensor t : weights.values()) {
                digest.update(t.info().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update(t.data().toArray(ValueLayout.JAVA_BYTE));
            }
            return detection.tier() + "/" + HexFormat.of().formatHex(digest.digest(), 0, 8);
        }
    }
}
