package dev.ingot.tck.check;

import dev.ingot.engine.plugin.RefusedPlugin;
import dev.ingot.tck.Rule;
import dev.ingot.tck.TckContext;
import java.util.List;

/**
 * The engine's refusals of the plugin under test, sorted by the rule they break: a wrong SPI version
 * is LOAD-3's, a bad or duplicate name LOAD-4's, anything else (a missing class, a throwing
 * constructor, no service file) LOAD-1's.
 */
final class Refusals {

    private Refusals() {}

    static List<String> of(TckContext ctx, Rule rule) {
        return ctx.host().refused().stream()
                .filter(r -> r.origin().jar().map(ctx.subject()::owns).orElse(false))
                .filter(r -> ruleOf(r) == rule)
                .map(RefusedPlugin::message)
                .toList();
    }

    private static Rule ruleOf(RefusedPlugin refusal) {
        String reason = refusal.reason();
        if (reason.contains("SPI") || reason.contains("spiVersion()")) {
            return Rule.LOAD_3;
        }
        if (reason.contains("name") || reason.contains("twice")) {
            return Rule.LOAD_4;
        }
        return Rule.LOAD_1;
    }
}
