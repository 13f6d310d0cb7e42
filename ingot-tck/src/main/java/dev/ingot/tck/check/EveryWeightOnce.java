package dev.ingot.tck.check;

import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;

/** OPEN-3: the mapping produces each of the architecture's weights exactly once, and nothing else. */
public final class EveryWeightOnce implements Check {

    @Override
    public Rule rule() {
        return Rule.OPEN_3;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        DeclaredMapping m = DeclaredMapping.of(ctx);
        return m.coverage().isEmpty()
                ? Check.pass(m.weights() + " canonical weights, each produced exactly once")
                : Check.failAll("the mapping does not cover the model's weights exactly once:", m.coverage());
    }
}
