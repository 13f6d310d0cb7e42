package dev.ingot.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a splitting pre-tokenizer does with the pieces its pattern matches (the "delimiters"), as in
 * Hugging Face's {@code SplitDelimiterBehavior}: drop them, keep them as pieces of their own, glue
 * them to the piece before or after, or glue runs of delimiters together.
 */
enum SplitBehavior {
    REMOVED,
    ISOLATED,
    MERGED_WITH_PREVIOUS,
    MERGED_WITH_NEXT,
    CONTIGUOUS;

    static SplitBehavior fromJson(String name, JsonFields json) throws TokenizerFileException {
        return switch (name) {
            case "Removed" -> REMOVED;
            case "Isolated" -> ISOLATED;
            case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> MERGED_WITH_NEXT;
            case "Contiguous" -> CONTIGUOUS;
            default -> throw json.problem("unknown Split behavior \"" + name + "\"");
        };
    }

    /** A stretch of the text and whether the pattern matched it. */
    private record Span(int start, int end, boolean delimiter) {}

    /** Splits {@code text} at the non-empty matches of {@code pattern} (inverted: the matches are the pieces). */
    List<String> split(String text, Pattern pattern, boolean invert) {
        List<Span> spans = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        int last = 0;
        while (matcher.find()) {
            if (matcher.end() == matcher.start()) {
                continue;
            }
            if (matcher.start() > last) {
                spans.add(new Span(last, matcher.start(), invert));
            }
            spans.add(new Span(matcher.start(), matcher.end(), !invert));
            last = matcher.end();
        }
        if (last < text.length()) {
            spans.add(new Span(last, text.length(), invert));
        }
        List<String> pieces = new ArrayList<>(spans.size());
        for (Span span : arrange(spans)) {
            if (span.end() > span.start()) {
                pieces.add(text.substring(span.start(), span.end()));
            }
        }
        return pieces;
    }

    private List<Span> arrange(List<Span> spans) {
        List<Span> out = new ArrayList<>(spans.size());
        switch (this) {
            case REMOVED -> spans.stream().filter(s -> !s.delimiter()).forEach(out::add);
            case ISOLATED -> out.addAll(spans);
            case MERGED_WITH_PREVIOUS -> out.addAll(glueDelimiters(spans));
            // The mirror image: walk backwards so each delimiter meets the piece after it first.
            case MERGED_WITH_NEXT -> out.addAll(glueDelimiters(spans.reversed()).reversed());
            case CONTIGUOUS -> {
                for (Span span : spans) {
                    if (span.delimiter() && !out.isEmpty() && out.getLast().delimiter()) {
                        Span before = out.removeLast();
                        out.add(new Span(before.start(), span.end(), true));
                    } else {
                        out.add(span);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Glues each delimiter to the piece met just before it in walking order; a delimiter that follows
     * another delimiter stays alone (so "--" gives "x-", "-", not "x--").
     */
    private static List<Span> glueDelimiters(List<Span> spans) {
        List<Span> out = new ArrayList<>(spans.size());
        boolean lastWasDelimiter = false;
        for (Span span : spans) {
            if (span.delimiter() && !lastWasDelimiter && !out.isEmpty()) {
                Span neighbour = out.removeLast();
                out.add(new Span(Math.min(neighbour.start(), span.start()), Math.max(neighbour.end(), span.end()), false));
            } else {
                out.add(new Span(span.start(), span.end(), false));
            }
            lastWasDelimiter = span.delimiter();
        }
        return out;
    }
}
