package dev.ingot.tck.check;

import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.TckContext;

/** The check of one {@link Rule}. Throws {@link dev.ingot.tck.Skip} when its premise does not hold. */
public interface Check {

    Rule rule();

    Outcome run(TckContext ctx) throws Exception;

    static Outcome pass(String text) {
        return new Outcome.Passed(text);
    }

    /** Fails with every problem found, one per line (at most 12, so a report stays readable). */
    static Outcome failAll(String summary, java.util.List<String> problems) {
        StringBuilder text = new StringBuilder(summary);
        problems.stream().limit(12).forEach(p -> text.append('\n').append(p));
        if (problems.size() > 12) {
            text.append('\n').append("… and ").append(problems.size() - 12).append(" more");
        }
        return new Outcome.Failed(text.toString());
    }
}
