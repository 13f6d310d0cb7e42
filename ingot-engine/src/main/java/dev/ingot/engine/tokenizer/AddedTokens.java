package dev.ingot.engine.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code "added_tokens"} of a {@code tokenizer.json} (BOS, EOS, chat markers such as
 * {@code <|eot_id|>}): they are found in the raw text before normalization, leftmost and longest first,
 * and become their own ids; the text between them goes through the normal pipeline.
 */
final class AddedTokens {

    /** One entry of {@code added_tokens}. lstrip/rstrip: the token swallows whitespace on that side. */
    record AddedToken(int id, String content, boolean special, boolean singleWord, boolean lstrip, boolean rstrip) {}

    /** A stretch of the input: an added token's id, or text for the model (id -1). */
    record Segment(int id, String text, int start) {
        boolean isText() {
            return id < 0;
        }
    }

    private final List<AddedToken> tokens;
    /** Candidates by first character, longest first, so a scan checks only plausible tokens. */
    private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();

    AddedTokens(List<AddedToken> tokens) {
        this.tokens = List.copyOf(tokens);
        for (AddedToken token : tokens) {
            if (!token.content().isEmpty()) {
                byFirstChar.computeIfAbsent(token.content().charAt(0), c -> new ArrayList<>()).add(token);
            }
        }
        byFirstChar.values().forEach(list -> list.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed()));
    }

    List<AddedToken> all() {
        return tokens;
    }

    /** Cuts {@code text} into added tokens and the (non-empty) text between them, in order. */
    List<Segment> split(String text) {
        List<Segment> segments = new ArrayList<>();
        if (byFirstChar.isEmpty()) {
            segments.add(new Segment(-1, text, 0));
            return segments;
        }
        int textStart = 0;
        int i = 0;
        while (i < text.length()) {
            AddedToken match = matchAt(text, i);
            if (match == null) {
                i++;
                continue;
            }
            int start = i;
            int end = i + match.content().length();
            if (match.lstrip()) {
                while (start > textStart && Character.isWhitespace(text.charAt(start - 1))) {
                    start--;
                }
            }
            if (match.rstrip()) {
                while (end < text.length() && Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
            }
            if (start > textStart) {
                segments.add(new Segment(-1, text.substring(textStart, start), textStart));
            }
            segments.add(new Segment(match.id(), match.content(), start));
            textStart = end;
            i = end;
        }
        if (textStart < text.length()) {
            segments.add(new Segment(-1, text.substring(textStart), textStart));
        }
        return segments;
    }

    private AddedToken matchAt(String text, int at) {
        List<AddedToken> candidates = byFirstChar.get(text.charAt(at));
        if (candidates == null) {
            return null;
        }
        for (AddedToken token : candidates) {
            String content = token.content();
            if (text.startsWith(content, at) && (!token.singleWord() || standsAlone(text, at, at + content.length()))) {
                return token;
            }
        }
        return null;
    }

    /** single_word tokens match only when no word character touches them on either side. */
    private static boolean standsAlone(String text, int start, int end) {
        boolean before = start > 0 && isWordChar(text.codePointBefore(start));
        boolean after = end < text.length() && isWordChar(text.codePointAt(end));
        return !before && !after;
    }

    private static boolean isWordChar(int codePoint) {
        return Character.isLetterOrDigit(codePoint) || codePoint == '_';
    }
}
