package dev.ingot.tck;

import java.util.List;

/**
 * Every rule's result for one plugin, and the readable table the CLI prints and the JUnit entry
 * point logs: rule, verdict, what was found, and for failures how to fix them.
 *
 * @param subject what was checked (the jar or folder)
 */
public record TckReport(String subject, List<RuleResult> results) {

    public TckReport {
        results = List.copyOf(results);
    }

    public List<RuleResult> failures() {
        return results.stream().filter(RuleResult::failed).toList();
    }

    public boolean passed() {
        return failures().isEmpty();
    }

    /** The rules that failed, for tests that assert a broken plugin fails exactly one. */
    public List<Rule> failedRules() {
        return failures().stream().map(RuleResult::rule).toList();
    }

    public RuleResult result(Rule rule) {
        return results.stream().filter(r -> r.rule() == rule).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(rule + " was not run"));
    }

    /** The report as text: one block per rule, failures with their fix, then a summary line. */
    public String render() {
        StringBuilder out = new StringBuilder("Ingot plugin conformance kit: ").append(subject).append('\n');
        int width = results.stream().mapToInt(r -> r.rule().title().length()).max().orElse(10);
        for (RuleResult r : results) {
            out.append(String.format("%-6s %-7s %-" + width + "s  %s%n", r.verdict(), r.rule().id(), r.rule().title(),
                    firstLine(r.outcome().text())));
            String rest = rest(r.outcome().text());
            if (!rest.isEmpty()) {
                out.append(indent(rest));
            }
            if (r.failed()) {
                out.append(indent("docs: " + r.rule().docs())).append(indent("fix:  " + r.rule().fix()));
            }
        }
        long pass = results.stream().filter(r -> r.verdict().equals("PASS")).count();
        long skip = results.stream().filter(r -> r.verdict().equals("SKIP")).count();
        out.append(String.format("%d passed, %d failed, %d skipped%n", pass, failures().size(), skip));
        return out.toString();
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static String rest(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? "" : text.substring(nl + 1);
    }

    private static String indent(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            out.append("               ").append(line).append('\n');
        }
        return out.toString();
    }
}
