package dev.ingot.server.demo;

import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginInfo;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.Detection;
import java.io.IOException;
import java.nio.file.Path;

/** Which format claimed the checkpoint, from which jar, and why: every format's own answer side by side. */
final class LoadSection {

    private LoadSection() {}

    static void show(DemoOutput out, Timings timings, LoadedModel model, Path checkpoint) {
        Table detection = new Table("FORMAT", "PLUGIN", "TIER", "REASON");
        for (CheckpointFormat format : model.plugins().formats()) {
            Detection d = detect(format, checkpoint, model.plugins().services());
            PluginInfo provider = PluginSection.providerOf(model.plugins(), format.name());
            detection.row(format.name(), provider == null ? "?" : provider.name(), d.tier().name().toLowerCase(java.util.Locale.ROOT), d.reason());
        }
        out.table(detection);
        FormatChoice choice = model.format();
        PluginInfo plugin = model.plugins().plugins().stream().filter(p -> p.name().equals(choice.pluginName())).findFirst()
                .orElseThrow();
        out.fact("claimed by", "format '" + choice.format().name() + "' of plugin '" + choice.pluginName() + "', loaded from "
                + plugin.origin());
        out.fact("because", choice.detection().reason() + " (tier " + choice.detection().tier().name().toLowerCase(java.util.Locale.ROOT) + ")");
        out.fact("serving", "version " + model.weights().version() + " (" + model.weights().peek().label() + "), loaded in "
                + DemoOutput.millis(model.loadTime().toNanos()));
        timings.add("load", model.loadTime().toNanos(), "detect, open, map acme -> canonical");
    }

    /** A format's answer for display; one that fails says so instead of stopping the demo. */
    private static Detection detect(CheckpointFormat format, Path location, dev.ingot.spi.engine.EngineServices services) {
        try {
            return format.detect(location, services);
        } catch (IOException | RuntimeException e) {
            return Detection.no("detect failed: " + e.getMessage());
        }
    }
}
