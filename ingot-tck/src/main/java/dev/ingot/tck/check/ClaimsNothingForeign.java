package dev.ingot.tck.check;

import dev.ingot.spi.format.Detection;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.List;

/**
 * DET-4: on inputs that are not its own (another format's checkpoint, random files, folders, links)
 * a format claims nothing stronger than weak: a layout or signature claim there would tie with, or
 * beat, the format that really owns the input.
 */
public final class ClaimsNothingForeign implements Check {

    @Override
    public Rule rule() {
        return Rule.DET_4;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        if (ctx.formats().isEmpty()) {
            throw new Skip("the plugin provides no format");
        }
        List<Detections.Answer> foreign = Detections.of(ctx).answers().stream().filter(a -> !a.input().own()).toList();
        List<String> claims = foreign.stream()
                .filter(a -> a.detection() != null && a.detection().tier().compareTo(Detection.Tier.WEAK) > 0)
                .map(a -> a.who() + " claimed " + a.detection()).toList();
        return claims.isEmpty()
                ? Check.pass(foreign.size() + " foreign inputs, none claimed above weak")
                : Check.failAll("detect claims inputs that are not its own:", claims);
    }
}
