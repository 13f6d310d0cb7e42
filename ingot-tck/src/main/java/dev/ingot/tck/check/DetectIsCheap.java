package dev.ingot.tck.check;

import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.Comparator;
import java.util.List;

/**
 * DET-2: every detect call returns within the deadline, including on samples grown to 4 GiB by a
 * sparse tail: a detect that reads tensor data takes seconds there, one that reads headers does not.
 */
public final class DetectIsCheap implements Check {

    @Override
    public Rule rule() {
        return Rule.DET_2;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        if (ctx.formats().isEmpty()) {
            throw new Skip("the plugin provides no format");
        }
        long limit = ctx.settings().detectDeadline().toNanos();
        List<Detections.Answer> answers = Detections.of(ctx).answers();
        List<String> slow = answers.stream().filter(a -> a.nanos() > limit)
                .map(a -> a.who() + " took " + a.nanos() / 1_000_000 + " ms").toList();
        Detections.Answer slowest = answers.stream().max(Comparator.comparingLong(Detections.Answer::nanos)).orElseThrow();
        return slow.isEmpty()
                ? Check.pass("slowest of " + answers.size() + " calls: " + slowest.nanos() / 1_000 + " µs ("
                        + slowest.input().label() + ")")
                : Check.failAll("detect took longer than " + ctx.settings().detectDeadline().toMillis() + " ms:", slow);
    }
}
