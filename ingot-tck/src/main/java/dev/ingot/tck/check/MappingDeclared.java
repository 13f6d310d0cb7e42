package dev.ingot.tck.check;

import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;

/** OPEN-2: the mapper says, from the listing alone, what becomes of every tensor the sample holds. */
public final class MappingDeclared implements Check {

    @Override
    public Rule rule() {
        return Rule.OPEN_2;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        DeclaredMapping m = DeclaredMapping.of(ctx);
        return m.undeclared().isEmpty()
                ? Check.pass(m.tensors() + " listed tensors, each mapped or skipped before any data was read")
                : Check.failAll("tensors the mapper does not declare:", m.undeclared());
    }
}
