package dev.ingot.tck.check;

import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.load.WeightLoader;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.model.WeightSlot;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the format's mapper declares for every tensor each sample lists, worked out from the listing
 * alone — no tensor is read, which is the point: the engine checks a mapping before it reads a byte.
 * Problems are sorted by rule: undeclared tensors (OPEN-2), weights missing, foreign or produced
 * twice (OPEN-3), wrong shapes or types (OPEN-4).
 */
record DeclaredMapping(int tensors, int weights, List<String> undeclared, List<String> coverage, List<String> shapes) {

    static DeclaredMapping of(TckContext ctx) throws Skip {
        Object result = ctx.shared("declared-mapping", () -> {
            try {
                return analyse(ctx);
            } catch (Skip e) {
                return e;
            }
        });
        if (result instanceof Skip skip) {
            throw skip;
        }
        return (DeclaredMapping) result;
    }

    private static DeclaredMapping analyse(TckContext ctx) throws Skip {
        ctx.requirePassed(dev.ingot.tck.Rule.OPEN_1);
        List<String> undeclared = new ArrayList<>();
        List<String> coverage = new ArrayList<>();
        List<String> shapes = new ArrayList<>();
        int tensors = 0;
        int weights = 0;
        for (Sample sample : ctx.samples()) {
            try (OpenedCheckpoint opened = ctx.open(sample)) {
                Map<String, WeightSlot> slots = opened.model().weights();
                weights += slots.size();
                Map<String, List<String>> producers = new LinkedHashMap<>();
                for (TensorInfo info : opened.checkpoint().tensors().list()) {
                    tensors++;
                    String where = "sample " + sample + ": tensor '" + info.name() + "' " + info.dtype() + info.shape();
                    TensorMapping mapping;
                    try {
                        mapping = opened.mapper().map(info);
                    } catch (RuntimeException e) {
                        undeclared.add(where + ": the mapper failed: " + e.getMessage());
                        continue;
                    }
                    switch (mapping) {
                        case TensorMapping.Unknown u -> undeclared.add(where + " is unknown to the mapper (" + u.hint() + ")");
                        case TensorMapping.Skipped s -> { }
                        case TensorMapping.Mapped m -> {
                            for (TensorMapping.Target target : m.targets()) {
                                producers.computeIfAbsent(target.canonicalName(), k -> new ArrayList<>()).add(info.name());
                                checkShape(info, target, slots.get(target.canonicalName()), where, shapes);
                            }
                        }
                    }
                }
                producers.forEach((name, from) -> {
                    if (!slots.containsKey(name)) {
                        coverage.add("sample " + sample + ": " + from + " map to '" + name + "', which is not a weight of a "
                                + opened.spec().architecture() + " model");
                    } else if (from.size() > 1) {
                        coverage.add("sample " + sample + ": '" + name + "' is produced " + from.size() + " times, from " + from);
                    }
                });
                for (String name : slots.keySet()) {
                    if (!producers.containsKey(name)) {
                        coverage.add("sample " + sample + ": no tensor maps to '" + name + "'");
                    }
                }
            } catch (IOException | RuntimeException e) {
                undeclared.add("sample " + sample + ": " + e.getMessage());
            }
        }
        return new DeclaredMapping(tensors, weights, undeclared, coverage, shapes);
    }

    private static void checkShape(TensorInfo info, TensorMapping.Target target, WeightSlot slot, String where,
            List<String> shapes) {
        TensorInfo declared;
        try {
            declared = WeightLoader.describe(info, List.of(target), where).getFirst();
        } catch (CheckpointException e) {
            shapes.add(where + ": its ops for '" + target.canonicalName() + "' do not apply: " + e.getMessage());
            return;
        }
        if (slot == null) {
            return; // a foreign name: coverage reports it
        }
        if (!slot.shape().equals(declared.shape())) {
            shapes.add(where + " becomes '" + target.canonicalName() + "' of shape " + declared.shape() + ", but the model needs "
                    + slot.shape() + " (ops: " + target.ops() + ")");
        } else if (!slot.accepts(declared.dtype())) {
            shapes.add(where + " becomes '" + target.canonicalName() + "' as " + declared.dtype() + "; this weight must be "
                    + slot.acceptedTypes());
        }
    }
}
