package dev.ingot.tck.check;

import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.ArrayList;
import java.util.List;

/**
 * ERR-2: each malformed variant is settled within the deadline, allocating no more heap than the
 * allowance plus four times the sample's size (what believing a lying header would blow through).
 */
public final class MalformedBounded implements Check {

    @Override
    public Rule rule() {
        return Rule.ERR_2;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        MalformedRuns runs = MalformedRuns.of(ctx);
        List<String> problems = new ArrayList<>();
        long slowest = 0;
        long most = 0;
        for (MalformedRuns.VariantRun r : runs.runs()) {
            long bound = ctx.settings().heapAllowance() + 4 * r.sampleBytes();
            if (r.run().timedOut()) {
                problems.add(r.who() + ": still running after " + ctx.settings().openDeadline().toSeconds() + " s");
            } else if (r.run().failure() instanceof OutOfMemoryError) {
                problems.add(r.who() + ": ran out of memory");
            } else if (r.run().allocatedBytes() > bound) {
                problems.add(r.who() + ": allocated " + (r.run().allocatedBytes() >> 20) + " MiB of heap, more than "
                        + (bound >> 20) + " MiB");
            } else {
                slowest = Math.max(slowest, r.run().took().toMillis());
                most = Math.max(most, r.run().allocatedBytes());
            }
        }
        return problems.isEmpty()
                ? Check.pass(runs.runs().size() + " malformed variants settled; slowest " + slowest + " ms, most heap "
                        + (most >> 10) + " KiB")
                : Check.failAll("malformed checkpoints make the plugin hang or allocate without bound:", problems);
    }
}
