package dev.ingot.tck.check;

import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.WriterChoice;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import dev.ingot.tck.support.RandomWeights;
import dev.ingot.tck.support.TensorValues;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CONS-2: random F32 canonical weights of a sample's model, written by the format's writer and opened
 * again with its mapper, come back bit for bit (compared as F32 values when the writer chose another
 * type). Random weights, not the sample's, so the check holds whatever the sample stores.
 */
public final class WriterRoundTrips implements Check {

    @Override
    public Rule rule() {
        return Rule.CONS_2;
    }

    @Override
    public Outcome run(TckContext ctx) throws Exception {
        ctx.requirePassed(Rule.OPEN_5);
        List<String> problems = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        boolean anyWriter = false;
        for (FormatChoice format : ctx.formats()) {
            Optional<Sample> sample = sampleOf(ctx, format);
            if (sample.isEmpty() || ctx.host().callFormat(format, "failed to give its writer", format.format()::writer).isEmpty()) {
                continue;
            }
            anyWriter = true;
            WriterChoice writer = ctx.host().writer(TckContext.qualified(format));
            roundTrip(ctx, format, sample.get(), writer.writer(), problems, passed);
        }
        if (!anyWriter) {
            throw new Skip("no format of the plugin has a writer");
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", passed))
                : Check.failAll("written weights do not come back as they were:", problems);
    }

    private static Optional<Sample> sampleOf(TckContext ctx, FormatChoice format) {
        for (Sample s : ctx.samples()) {
            try {
                if (ctx.formatOf(s).format() == format.format()) {
                    return Optional.of(s);
                }
            } catch (Skip e) {
                // not this format's
            }
        }
        return Optional.empty();
    }

    private static void roundTrip(TckContext ctx, FormatChoice format, Sample sample, CheckpointWriter writer,
            List<String> problems, List<String> passed) throws IOException, Skip {
        ModelDefinition model;
        ModelConfig config;
        try (OpenedCheckpoint opened = ctx.open(sample)) {
            model = opened.model();
            config = opened.architecture().architecture().describe(model.spec());
        }
        Path written = ctx.work().resolve("written-" + format.format().name()).resolve(sample.path().getFileName().toString());
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> canonical = RandomWeights.of(model.weights().values(), 42, arena);
            try {
                ctx.host().callFormat(format, "failed to write " + written, () -> {
                    writer.write(written, model.spec(), config, canonical);
                    return Boolean.TRUE;
                });
            } catch (IOException e) {
                problems.add("writing random weights of sample " + sample + "'s model: " + e.getMessage());
                return;
            }
            try (OpenedCheckpoint back = CheckpointPipeline.open(ctx.host(), written, Optional.of(TckContext.qualified(format)));
                    Arena read = Arena.ofConfined()) {
                Map<String, Tensor> reread = back.canonicalWeights(read);
                int before = problems.size();
                for (Map.Entry<String, Tensor> e : canonical.entrySet()) {
                    Tensor got = reread.get(e.getKey());
                    if (got == null) {
                        problems.add("'" + e.getKey() + "' is missing after the round trip");
                        continue;
                    }
                    int at = TensorValues.firstDifference(TensorValues.floats(e.getValue()), TensorValues.floats(got));
                    if (at >= 0) {
                        problems.add("'" + e.getKey() + "' differs after the round trip at element " + at + ": wrote "
                                + TensorValues.floats(e.getValue())[at] + ", read back "
                                + (at < got.info().shape().elementCount() ? TensorValues.floats(got)[at] : "nothing")
                                + " (" + got.info() + ")");
                    }
                }
                if (problems.size() == before) {
                    passed.add("format '" + format.format().name() + "': " + canonical.size()
                            + " random weights of sample " + sample + "'s model written and read back bit for bit");
                }
            } catch (IOException e) {
                problems.add("the written checkpoint does not open again: " + e.getMessage());
            }
        }
    }
}
