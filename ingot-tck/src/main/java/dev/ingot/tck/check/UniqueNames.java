package dev.ingot.tck.check;

import dev.ingot.engine.plugin.NameConflict;
import dev.ingot.engine.plugin.PluginInfo;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.ArrayList;
import java.util.List;

/**
 * LOAD-4: the plugin's own names are well formed and unique within it (the engine refuses it
 * otherwise), and none of them is already taken by the engine's built-ins.
 */
public final class UniqueNames implements Check {

    @Override
    public Rule rule() {
        return Rule.LOAD_4;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        List<String> problems = new ArrayList<>(Refusals.of(ctx, Rule.LOAD_4));
        List<String> ours = ctx.plugins().stream().map(PluginInfo::name).toList();
        for (NameConflict conflict : ctx.host().conflicts()) {
            if (conflict.providers().stream().anyMatch(p -> ours.contains(p.plugin()))) {
                problems.add(conflict.message());
            }
        }
        if (!problems.isEmpty()) {
            return Check.failAll("names clash or are malformed:", problems);
        }
        if (ours.isEmpty()) {
            throw new Skip("no plugin loaded (see LOAD-1)");
        }
        return Check.pass("plugin " + String.join(", ", ours) + "; no name shared with the built-ins");
    }
}
