package dev.ingot.tck.check;

import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** OPEN-5: the engine reads every tensor, applies the declared ops and ends with a complete weight set. */
public final class EngineLoads implements Check {

    @Override
    public Rule rule() {
        return Rule.OPEN_5;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        ctx.requirePassed(Rule.OPEN_2, Rule.OPEN_3, Rule.OPEN_4);
        List<String> problems = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        for (Sample sample : ctx.samples()) {
            try (OpenedCheckpoint opened = ctx.open(sample); Arena arena = Arena.ofConfined()) {
                Map<String, Tensor> weights = opened.canonicalWeights(arena);
                long bytes = weights.values().stream().mapToLong(t -> t.info().byteSize()).sum();
                loaded.add("sample " + sample + ": " + weights.size() + " canonical tensors, " + bytes / 1024 + " KiB");
            } catch (IOException | RuntimeException e) {
                problems.add("sample " + sample + ": " + e.getMessage());
            }
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", loaded)) : Check.failAll("the engine cannot load:", problems);
    }
}
