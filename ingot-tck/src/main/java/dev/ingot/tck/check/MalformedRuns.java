package dev.ingot.tck.check;

import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import dev.ingot.tck.support.Bounded;
import dev.ingot.tck.support.Files2;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every malformed variant of every sample opened and loaded with the sample's format (named, so
 * detection cannot dodge it), on a thread of its own with a deadline and its heap allocation measured.
 * Computed once; ERR-1 judges the errors, ERR-2 the time and memory.
 */
record MalformedRuns(List<VariantRun> runs) {

    record VariantRun(Sample sample, Malformation variant, long sampleBytes, Bounded.Run<String> run) {
        String who() {
            return "sample " + sample + " " + variant.kind();
        }
    }

    static MalformedRuns of(TckContext ctx) throws Skip {
        ctx.requirePassed(Rule.OPEN_5);
        return ctx.shared("malformed-runs", () -> {
            try {
                return runAll(ctx);
            } catch (IOException | Skip e) {
                throw new IllegalStateException("cannot make malformed variants: " + e.getMessage(), e);
            }
        });
    }

    private static MalformedRuns runAll(TckContext ctx) throws IOException, Skip {
        List<VariantRun> runs = new ArrayList<>();
        Path dir = ctx.work().resolve("malformed");
        for (Sample sample : ctx.samples()) {
            String format = TckContext.qualified(ctx.formatOf(sample));
            long bytes = Files2.totalSize(sample.path());
            for (Malformation variant : Malformation.of(sample, dir)) {
                Bounded.Run<String> run = Bounded.run("malformed", ctx.settings().openDeadline(), () -> {
                    try (OpenedCheckpoint opened = CheckpointPipeline.open(ctx.host(), variant.location(), Optional.of(format));
                            Arena arena = Arena.ofConfined()) {
                        return opened.canonicalWeights(arena).size() + " weights loaded";
                    }
                });
                runs.add(new VariantRun(sample, variant, bytes, run));
            }
        }
        return new MalformedRuns(List.copyOf(runs));
    }
}
