package dev.ingot.tck.check;

import dev.ingot.engine.plugin.FormatChoice;
import java.io.IOException;
import dev.ingot.spi.format.Detection;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DET-3: given no {@code --format}, the engine's detection (every installed format asked) picks the
 * plugin's format for each sample, at the tier the author expects (signature or layout by default).
 */
public final class ClaimsOwnSamples implements Check {

    @Override
    public Rule rule() {
        return Rule.DET_3;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        ctx.requireSamples();
        List<String> problems = new ArrayList<>();
        List<String> found = new ArrayList<>();
        for (Sample sample : ctx.samples()) {
            try {
                FormatChoice choice = ctx.host().select(sample.path(), Optional.empty());
                boolean ours = ctx.formats().stream().anyMatch(f -> f.format() == choice.format());
                Detection.Tier tier = choice.detection().tier();
                boolean rightTier = sample.tier().map(t -> t == tier)
                        .orElse(tier == Detection.Tier.SIGNATURE || tier == Detection.Tier.LAYOUT);
                String what = "sample " + sample + ": format '" + choice.format().name() + "' of plugin '"
                        + choice.pluginName() + "' at tier " + choice.detection();
                if (!ours) {
                    problems.add(what + ", not the plugin's own format");
                } else if (!rightTier) {
                    problems.add(what + ", expected " + sample.tier().map(Enum::name).orElse("SIGNATURE or LAYOUT"));
                } else {
                    found.add(what);
                }
            } catch (IOException e) {
                problems.add("sample " + sample + ": " + e.getMessage());
            }
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", found))
                : Check.failAll("detection does not pick the plugin's format for its own samples:", problems);
    }
}
