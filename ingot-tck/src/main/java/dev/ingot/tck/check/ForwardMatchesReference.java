package dev.ingot.tck.check;

import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.model.DecoderWeights;
import dev.ingot.engine.model.ForwardBatch;
import dev.ingot.engine.model.KvCache;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.weights.WeightGeneration;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import dev.ingot.tck.reference.ScalarDecoder;
import dev.ingot.tck.support.RandomWeights;
import dev.ingot.tck.support.TensorValues;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ARCH-2: the engine runs the architecture's blueprint of a tiny spec on random weights, token by
 * token, and its logits match the kit's own double-precision composition of the same blocks
 * ({@link ScalarDecoder}) within float rounding.
 */
public final class ForwardMatchesReference implements Check {

    private static final int[] TOKENS = {1, 17, 5, 42, 9, 3, 63, 28, 11, 2};
    private static final double TOLERANCE = 2e-3;

    @Override
    public Rule rule() {
        return Rule.ARCH_2;
    }

    @Override
    public Outcome run(TckContext ctx) throws Exception {
        ctx.requirePassed(Rule.ARCH_1);
        List<String> problems = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        for (ArchitectureChoice choice : ctx.architectures()) {
            ModelSpec spec = TinySpecs.roundTrip(ctx, choice, TinySpecs.seed(choice.architecture().name()));
            ModelDefinition model = CheckpointPipeline.define(ctx.host(), choice, spec);
            try (Arena arena = Arena.ofShared(); Kernels kernels = kernels()) {
                Map<String, Tensor> tensors = RandomWeights.of(model.weights().values(), 5, arena);
                Map<String, float[]> floats = new HashMap<>();
                tensors.forEach((name, t) -> floats.put(name, TensorValues.floats(t)));
                WeightGeneration generation = new WeightGeneration(1, "tck", model, tensors, List.of());
                DecoderModel engine = new DecoderModel(model, kernels);
                DecoderWeights weights = DecoderWeights.of(generation);
                ScalarDecoder reference = new ScalarDecoder(model.blueprint(), floats);
                KvCache cache = engine.newCache();
                double worst = 0;
                String mismatch = null;
                for (int pos = 0; pos < TOKENS.length && mismatch == null; pos++) {
                    float[] got = engine.forward(weights, ForwardBatch.prefill(new int[] {TOKENS[pos]}, pos, cache));
                    double[] want = reference.step(TOKENS[pos]);
                    double scale = 1;
                    for (double w : want) {
                        scale = Math.max(scale, Math.abs(w));
                    }
                    for (int i = 0; i < want.length; i++) {
                        double error = Math.abs(got[i] - want[i]) / scale;
                        worst = Math.max(worst, error);
                        if (error > TOLERANCE) {
                            mismatch = "position " + pos + ", logit " + i + ": engine " + got[i] + ", reference " + want[i];
                            break;
                        }
                    }
                }
                String name = "architecture '" + choice.architecture().name() + "'";
                if (mismatch != null) {
                    problems.add(name + " at " + mismatch);
                } else {
                    passed.add(name + ": " + TOKENS.length + " positions, largest relative logit error "
                            + String.format("%.1e", worst));
                }
            }
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", passed))
                : Check.failAll("the engine's forward pass differs from the reference composition of the blocks:", problems);
    }

    /** The engine's fast kernels where the Vector API is there (as in serving), else its scalar ones. */
    private static Kernels kernels() {
        try {
            return Kernels.best(1);
        } catch (IllegalStateException e) {
            return new ScalarKernels();
        }
    }
}
