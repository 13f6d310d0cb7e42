package dev.ingot.server.demo;

import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.WeightUpdates;
import java.util.Locale;

/** What became of an update: validated and swapped in, or refused with the engine's one-line reason. */
final class UpdateSection {

    private UpdateSection() {}

    static void show(DemoOutput out, Timings timings, UpdateOutcome outcome, WeightUpdates engine) {
        out.fact("update", "version " + outcome.request().version() + ", " + outcome.request().mode() + ", \""
                + outcome.request().label() + "\"");
        switch (outcome) {
            case UpdateOutcome.Committed c -> {
                String sent = Texts.count(c.nativeTensors(), "acme tensor");
                out.fact("sent", sent + ", " + String.format(Locale.ROOT, "%.2f MB", c.result().bytes() / 1e6));
                out.fact("validated", c.result().tensors() + " canonical tensors after acme's mapper (names, shapes, dtypes"
                        + (c.request().mode() == UpdateMode.FULL ? ", every weight present" : "") + ")");
                out.fact("swapped", "in " + c.result().swapMillis() + " ms; staged in " + c.result().stagingMillis() + " ms");
                out.fact("serving", "version " + engine.currentVersion());
                timings.add("update v" + c.result().version() + " " + c.request().mode(), c.pushNanos(),
                        sent + ", swap " + c.result().swapMillis() + " ms");
            }
            case UpdateOutcome.Refused r -> {
                out.fact("REFUSED", r.reason());
                out.fact("serving", "still version " + engine.currentVersion() + " (" + Texts.count(r.nativeTensors(), "tensor")
                        + " sent before the refusal; none of them is served)");
            }
        }
    }
}
