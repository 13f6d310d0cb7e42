package dev.ingot.tck.check;

import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;

/** OPEN-4: after its declared ops, every weight has the shape the model needs and a type its slot accepts. */
public final class ShapesAndTypes implements Check {

    @Override
    public Rule rule() {
        return Rule.OPEN_4;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        DeclaredMapping m = DeclaredMapping.of(ctx);
        return m.shapes().isEmpty()
                ? Check.pass("every declared weight has the expected shape and an accepted type")
                : Check.failAll("declared weights of the wrong shape or type:", m.shapes());
    }
}
