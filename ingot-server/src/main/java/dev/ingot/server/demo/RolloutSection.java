package dev.ingot.server.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rollout batches as tables, each compared with the first batch, and all of them side by side at the end. */
final class RolloutSection {

    private final DemoOutput out;
    private final Timings timings;
    private final Rollouts rollouts;
    private final List<String> prompts;
    private final List<Rollouts.Batch> batches = new ArrayList<>();

    RolloutSection(DemoOutput out, Timings timings, Rollouts rollouts, List<String> prompts) {
        this.out = out;
        this.timings = timings;
        this.rollouts = rollouts;
        this.prompts = List.copyOf(prompts);
    }

    /** Runs the prompts as one batch on the weights served now ({@code version}) and shows the result. */
    void run(long version) throws InterruptedException {
        out.section("Rollouts on weight version " + version);
        DemoOutput.Progress progress = out.progress("rollouts", prompts.size());
        Rollouts.Batch batch = rollouts.run(prompts, progress);
        String rate = String.format(Locale.ROOT, "%d tokens, %.0f tokens/s", batch.tokens(), batch.tokensPerSecond());
        progress.finish(prompts.size() + " prompts, greedy: " + rate + " in " + DemoOutput.millis(batch.nanos()));
        Table table = new Table("#", "VERSION", "TOKENS", "FINISH", "LOGPROB/TOKEN", "PROMPT", "COMPLETION").rightAligned(0, 1, 2, 4);
        for (int i = 0; i < batch.rollouts().size(); i++) {
            Rollout r = batch.rollouts().get(i);
            table.row(i + 1, "v" + r.versionLabel(), r.tokens().size(), r.finish(),
                    String.format(Locale.ROOT, "%.3f", r.meanLogprob()), r.prompt(), Texts.shorten(r.text(), 48));
        }
        out.table(table);
        out.line("log-probs of rollout 1's first tokens: " + String.join("  ", batch.rollouts().getFirst().tokens().stream()
                .limit(5)
                .map(t -> Texts.quoted(rollouts.piece(t.token())) + " " + String.format(Locale.ROOT, "%.2f", t.logprob()))
                .toList()));
        if (!batches.isEmpty()) {
            List<Rollout> first = batches.getFirst().rollouts();
            long changed = 0;
            for (int i = 0; i < first.size(); i++) {
                changed += first.get(i).text().equals(batch.rollouts().get(i).text()) ? 0 : 1;
            }
            out.line("changed since version " + first.getFirst().versionLabel() + ": " + changed + " of " + first.size() + " rollouts");
        }
        batches.add(batch);
        timings.add("rollouts v" + version, batch.nanos(), rate);
    }

    /** Every batch's completion of each prompt in one row. */
    void sideBySide() {
        List<String> headers = new ArrayList<>(List.of("PROMPT"));
        batches.forEach(b -> headers.add("v" + b.rollouts().getFirst().versionLabel()));
        Table table = new Table(headers.toArray(String[]::new));
        for (int i = 0; i < prompts.size(); i++) {
            List<Object> row = new ArrayList<>(List.of(prompts.get(i)));
            for (Rollouts.Batch batch : batches) {
                row.add(Texts.shorten(batch.rollouts().get(i).text().strip(), 24));
            }
            table.row(row.toArray());
        }
        out.table(table);
    }
}
