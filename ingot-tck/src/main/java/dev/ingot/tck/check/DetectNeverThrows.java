package dev.ingot.tck.check;

import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.List;

/** DET-1: detect answers (no, or a claim) for every input; it never throws. */
public final class DetectNeverThrows implements Check {

    @Override
    public Rule rule() {
        return Rule.DET_1;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        if (ctx.formats().isEmpty()) {
            throw new Skip("the plugin provides no format");
        }
        Detections detections = Detections.of(ctx);
        List<String> thrown = detections.answers().stream().filter(a -> a.failure() != null)
                .map(a -> a.who() + " threw: " + a.failure()).toList();
        return thrown.isEmpty()
                ? Check.pass(detections.answers().size() + " detect calls answered, none threw")
                : Check.failAll("detect threw instead of answering:", thrown);
    }
}
