package dev.ingot.tck.check;

import dev.ingot.engine.plugin.PluginInfo;
import dev.ingot.spi.SpiVersion;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.List;

/** LOAD-3: the plugin was built for an SPI this engine accepts. */
public final class CompatibleSpi implements Check {

    @Override
    public Rule rule() {
        return Rule.LOAD_3;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        List<String> refusals = Refusals.of(ctx, Rule.LOAD_3);
        if (!refusals.isEmpty()) {
            return Check.failAll("the engine refused the plugin's SPI version:", refusals);
        }
        List<PluginInfo> loaded = ctx.plugins();
        if (loaded.isEmpty()) {
            throw new Skip("no plugin loaded (see LOAD-1)");
        }
        return Check.pass(String.join("; ", loaded.stream().map(p -> "'" + p.name() + "' built for SPI " + p.spiVersion()
                + ", engine SPI " + SpiVersion.CURRENT).toList()));
    }
}
