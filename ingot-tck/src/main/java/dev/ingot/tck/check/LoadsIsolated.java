package dev.ingot.tck.check;

import dev.ingot.engine.plugin.PluginInfo;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.TckContext;
import java.util.ArrayList;
import java.util.List;

/** LOAD-1: the plugin loads from its jar, in a class loader of its own, not from the class path. */
public final class LoadsIsolated implements Check {

    @Override
    public Rule rule() {
        return Rule.LOAD_1;
    }

    @Override
    public Outcome run(TckContext ctx) {
        List<String> problems = new ArrayList<>(Refusals.of(ctx, Rule.LOAD_1));
        List<PluginInfo> loaded = ctx.plugins();
        if (loaded.isEmpty() && problems.isEmpty() && Refusals.of(ctx, Rule.LOAD_3).isEmpty()
                && Refusals.of(ctx, Rule.LOAD_4).isEmpty()) {
            problems.add("no plugin loaded from " + ctx.subject().given() + ": is " + "META-INF/services/dev.ingot.spi.IngotPlugin in it?");
        }
        ClassLoader kit = LoadsIsolated.class.getClassLoader();
        ctx.formats().stream().filter(f -> f.format().getClass().getClassLoader() == kit)
                .forEach(f -> problems.add("format '" + f.format().name() + "' came from the class path, not from the jar"));
        if (!problems.isEmpty()) {
            return Check.failAll("the engine refused the plugin:", problems);
        }
        if (loaded.isEmpty()) {
            return new Outcome.Skipped("the plugin was refused for its SPI version or its names (see LOAD-3, LOAD-4)");
        }
        List<String> lines = loaded.stream().map(p -> "plugin '" + p.name() + "' " + p.version() + " from " + p.origin()
                .jar().map(j -> j.getFileName().toString()).orElse("?") + ": formats " + names(p.formats())
                + ", architectures " + names(p.architectures()) + ", tokenizers " + names(p.tokenizers())
                + ", transports " + names(p.transports())).toList();
        return Check.pass(String.join("\n", lines));
    }

    static String names(List<PluginInfo.ExtensionInfo> extensions) {
        return extensions.isEmpty() ? "-" : String.join(", ", extensions.stream().map(PluginInfo.ExtensionInfo::name).toList());
    }
}
