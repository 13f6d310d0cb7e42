package dev.ingot.server.http.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;

/** A monotonically increasing count, optionally split by labels. */
public final class Counter implements MetricsRegistry.Metric {

    private final String name;
    private final String help;
    private final List<String> labelNames;
    private final Map<String, DoubleAdder> series = new ConcurrentSkipListMap<>();

    Counter(String name, String help, String... labelNames) {
        this.name = name;
        this.help = help;
        this.labelNames = List.of(labelNames);
        if (labelNames.length == 0) {
            series.put("", new DoubleAdder());
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** Adds one to the series with these label values (in the order the names were registered). */
    public void inc(String... labelValues) {
        add(1, labelValues);
    }

    public void add(double amount, String... labelValues) {
        if (amount < 0) {
            throw new IllegalArgumentException("a counter only goes up; got " + amount + " for " + name);
        }
        series.computeIfAbsent(key(labelValues), k -> new DoubleAdder()).add(amount);
    }

    /** The current value of one series (0 when it was never touched). */
    public double value(String... labelValues) {
        DoubleAdder adder = series.get(key(labelValues));
        return adder == null ? 0 : adder.sum();
    }

    private String key(String... labelValues) {
        if (labelValues.length != labelNames.size()) {
            throw new IllegalArgumentException(name + " takes labels " + labelNames + ", got " + labelValues.length + " values");
        }
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < labelValues.length; i++) {
            key.append(i == 0 ? "{" : ",").append(labelNames.get(i)).append("=\"")
                    .append(MetricsRegistry.labelValue(labelValues[i])).append('"');
        }
        return labelValues.length == 0 ? "" : key.append('}').toString();
    }

    @Override
    public void write(StringBuilder out) {
        MetricsRegistry.header(out, name, help, "counter");
        series.forEach((labels, adder) -> out.append(name).append(labels).append(' ')
                .append(MetricsRegistry.number(adder.sum())).append('\n'));
    }
}
