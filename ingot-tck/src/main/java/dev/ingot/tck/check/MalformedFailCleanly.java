package dev.ingot.tck.check;

import dev.ingot.spi.CheckpointException;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.ArrayList;
import java.util.List;

/**
 * ERR-1: a malformed variant ends in one {@link CheckpointException} of the plugin's own that names
 * the file — not in a stray exception the engine has to wrap as a plugin bug — and a truncated one
 * never loads.
 */
public final class MalformedFailCleanly implements Check {

    @Override
    public Rule rule() {
        return Rule.ERR_1;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        MalformedRuns runs = MalformedRuns.of(ctx);
        List<String> problems = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (MalformedRuns.VariantRun r : runs.runs()) {
            Throwable failure = r.run().failure();
            if (r.run().timedOut() || failure instanceof OutOfMemoryError) {
                continue; // ERR-2's
            }
            if (failure == null) {
                if (r.variant().mustFail()) {
                    problems.add(r.who() + ": loaded without an error (" + r.run().value() + ")");
                } else {
                    seen.add(r.who() + ": loaded (" + r.run().value() + ")");
                }
            } else if (!(failure instanceof CheckpointException)) {
                problems.add(r.who() + ": escaped as " + failure);
            } else if (ctx.isPluginFault(failure.getMessage())) {
                problems.add(r.who() + ": the plugin failed instead of reporting the problem: " + failure.getMessage());
            } else if (!r.variant().named(failure.getMessage())) {
                problems.add(r.who() + ": the message does not name the file: " + failure.getMessage());
            } else {
                seen.add(r.who() + ": " + failure.getMessage());
            }
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", seen))
                : Check.failAll("malformed checkpoints are not reported as they should be:", problems);
    }
}
