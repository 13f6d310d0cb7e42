package dev.ingot.tck.check;

import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.update.MapperSource;
import dev.ingot.engine.update.StagedUpdate;
import dev.ingot.engine.update.UpdateLimits;
import dev.ingot.engine.update.UpdateManager;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.engine.weights.WeightStore;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import dev.ingot.tck.support.TensorValues;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CONS-1: the sample loaded through the plugin, then the same native tensors pushed as a FULL live
 * update in the format's own names (the engine's in-process update path, the one HTTP and transports
 * use) serve identical bytes. Both go through {@code mapper(spec)}; a mapper whose answers depend on
 * state or on the call shows up here.
 */
public final class UpdateMatchesLoad implements Check {

    @Override
    public Rule rule() {
        return Rule.CONS_1;
    }

    @Override
    public Outcome run(TckContext ctx) throws Exception {
        ctx.requirePassed(Rule.OPEN_5);
        List<String> problems = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        for (Sample sample : ctx.samples()) {
            compare(ctx, sample, problems, passed);
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", passed))
                : Check.failAll("weights served after a live update differ from the loaded ones:", problems);
    }

    private static void compare(TckContext ctx, Sample sample, List<String> problems, List<String> passed) throws Exception {
        FormatChoice format = ctx.formatOf(sample);
        OpenedCheckpoint opened = ctx.open(sample);
        Arena arena = Arena.ofShared();
        WeightStore store;
        try {
            WeightGeneration loaded = WeightGeneration.of(1, "loaded by the tck", opened.model(), opened.canonicalWeights(arena),
                    arena, opened);
            store = new WeightStore(loaded);
        } catch (IOException | RuntimeException e) {
            arena.close();
            opened.close();
            throw e;
        }
        try (store; UpdateManager updates = new UpdateManager(store, format.format().name(), MapperSource.of(ctx.host()),
                UpdateLimits.defaults(), DecoderWeights::of)) {
            Map<String, TensorValues.Snapshot> before = TensorValues.snapshot(store.peek().tensors());
            int sent = push(ctx, sample, format, updates);
            WeightGeneration served = store.acquire();
            Map<String, TensorValues.Snapshot> after;
            try {
                after = TensorValues.snapshot(served.tensors());
            } finally {
                served.unpin();
            }
            List<String> differences = new ArrayList<>();
            for (Map.Entry<String, TensorValues.Snapshot> e : before.entrySet()) {
                TensorValues.Snapshot now = after.get(e.getKey());
                if (now == null) {
                    differences.add("sample " + sample + ": '" + e.getKey() + "' was loaded but is not served after the update");
                } else if (!now.sameAs(e.getValue())) {
                    differences.add("sample " + sample + ": '" + e.getKey() + "' loaded as " + e.getValue().info()
                            + ", served after the update as " + now.info()
                            + (now.info().equals(e.getValue().info()) ? " with different bytes" : ""));
                }
            }
            if (differences.isEmpty()) {
                passed.add("sample " + sample + ": " + sent + " native tensors pushed as format '" + format.format().name()
                        + "', " + before.size() + " served weights identical to the load");
            }
            problems.addAll(differences);
        } catch (UpdateRejectedException e) {
            problems.add("sample " + sample + ": the engine refused the update in the format's own names: " + e.getMessage());
        }
    }

    /** Every native tensor of a fresh open of the sample, sent as one FULL update (version 2). */
    private static int push(TckContext ctx, Sample sample, FormatChoice format, UpdateManager updates)
            throws IOException, UpdateRejectedException {
        Checkpoint raw = ctx.host().guard(ctx.host().open(format, sample.path()), format, sample.path());
        try (raw; StagedUpdate session = updates.begin(new UpdateRequest(2, UpdateMode.FULL, TckContext.qualified(format),
                "pushed by the tck", SwapPolicy.FINISH, false))) {
            TensorSource tensors = raw.tensors();
            int sent = 0;
            for (TensorInfo info : tensors.list()) {
                session.put(tensors.read(info.name()));
                sent++;
            }
            session.commit();
            return sent;
        }
    }
}
