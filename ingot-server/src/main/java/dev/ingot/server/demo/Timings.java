package dev.ingot.server.demo;

import java.util.ArrayList;
import java.util.List;

/** The demo's timed steps, collected as they happen and shown together at the end. */
final class Timings {

    private record Step(String name, long nanos, String detail) {}

    private final List<Step> steps = new ArrayList<>();

    void add(String step, long nanos, String detail) {
        steps.add(new Step(step, nanos, detail));
    }

    Table table() {
        Table table = new Table("STEP", "TIME", "DETAIL").rightAligned(1);
        steps.forEach(s -> table.row(s.name(), DemoOutput.millis(s.nanos()), s.detail()));
        return table;
    }
}
