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
    private final boolean includeStop;
    private final boolean skipSpecial;
    private final Utf8Accumulator utf8 = new Utf8Accumulator();
    private final StringBuilder text = new StringBuilder();
    private int previousToken;
    private int released;
    private boolean stopped;

    IncrementalText(Tokenizer tokenizer, int previousToken, List<String> stops) {
        this(tokenizer, previousToken, stops, false, true);
    }

    /**
     * @param includeStop a matched stop string stays at the end of the text
     * @param skipSpecial control tokens (those that decode to nothing) add nothing; when false they add their piece
     */
    IncrementalText(Tokenizer tokenizer, int previousToken, List<String> stops, boolean includeStop, boolean skipSpecial) {
        this.includeStop = includeStop;
        this.skipSpecial = skipSpecial;
        this.tokenizer = tokenizer;
        this.previousToken = previousToken;
        this.stops = stops;
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds a token and returns the text that is now safe to show. */
    String add(int token) {
        return add(token, true);
    }

    /** As {@link #add(int)}; with {@code matchStops} false (before {@code min_tokens}) no stop string ends the text. */
    String add(int token, boolean matchStops) {
        int searchFrom = Math.max(0, text.length() - longestStop + 1);
        text.append(utf8.add(bytes(token)));
        previousToken = token;
        int match = matchStops ? earliestStop(searchFrom) : -1;
        if (match >= 0) {
            text.setLength(includeStop ? match + stopAt(match).length() : match);
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

    /** The stop string (the longest, if several) that matches at {@code at}. */
    private String stopAt(int at) {
        String best = "";
        for (String stop : stops) {
            if (stop.length() > best.length() && text.indexOf(stop, at) == at) {
                best = stop;
            }
        }
        return best;
    }

    private byte[] bytes(int token) {
        byte[] bytes = tokenizer.decode(previousToken, token);
        if (bytes.length == 0 && !skipSpecial) {
            return tokenizer.piece(token).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return bytes;
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
