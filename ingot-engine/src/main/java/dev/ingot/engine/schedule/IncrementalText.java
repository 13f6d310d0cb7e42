package dev.ingot.engine.schedule;

import dev.ingot.engine.generate.Utf8Accumulator;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.List;

/**
 * A completion's text as its tokens arrive, with stop strings applied. Text that could still turn
 * out to be the start of a stop string is held back, so a streaming client never sees text that
 * the final answer does not contain.
 */
final class IncrementalText {

    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final int longestStop;
    private final Utf8Accumulator utf8 = new Utf8Accumulator();
    private final StringBuilder text = new StringBuilder();
    private int previousToken;
    private int released;
    private boolean stopped;

    IncrementalText(Tokenizer tokenizer, int previousToken, List<String> stops) {
        this.tokenizer = tokenizer;
        this.previousToken = previousToken;
        this.stops = stops;
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds a token and returns the text that is now safe to show. */
    String add(int token) {
        int searchFrom = Math.max(0, text.length() - longestStop + 1);
        text.append(utf8.add(tokenizer.decode(previousToken, token)));
        previousToken = token;
        int match = earliestStop(searchFrom);
        if (match >= 0) {
            text.setLength(match);
            stopped = true;
            return release(text.length());
        }
        return release(text.length() - heldBack());
    }

    /** Whether a stop string has matched; the text ends before it. */
    boolean stopped() {
        return stopped;
    }

    /** Releases everything held back (the completion ended for another reason). */
    String flush() {
        if (!stopped) {
            text.append(utf8.flush());
        }
        return release(text.length());
    }

    String text() {
        return text.toString();
    }

    private String release(int upTo) {
        if (upTo <= released) {
            return "";
        }
        String out = text.substring(released, upTo);
        released = upTo;
        return out;
    }

    private int earliestStop(int from) {
        int best = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of the longest end of the text that begins some stop string. */
    private int heldBack() {
        int held = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, text.length()); k > held; k--) {
                if (endsWith(stop, k)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    /** Whether the text ends with the first {@code k} characters of {@code stop}. */
    private boolean endsWith(String stop, int k) {
        int start = text.length() - k;
        for (int i = 0; i < k; i++) {
            if (text.charAt(start + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
