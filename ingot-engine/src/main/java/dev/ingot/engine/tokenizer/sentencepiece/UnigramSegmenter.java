package dev.ingot.engine.tokenizer.sentencepiece;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * SentencePiece's unigram encoding: the segmentation whose piece scores (log-probabilities) sum
 * highest, found by Viterbi over code-point positions. As in SentencePiece, a user-defined piece scores
 * {@code bytes × max normal score − 0.1} so it always wins, unused pieces are never used, and a code
 * point that no single-character piece covers becomes unk with {@code min normal score − 10}. Among
 * equal scores the path found first (shorter piece, earlier start) stays.
 */
final class UnigramSegmenter implements Segmenter {

    private static final float UNKNOWN_PENALTY = 10.0f;

    private final PieceTable table;
    private final float maxScore;
    private final float unknownScore;

    UnigramSegmenter(PieceTable table) {
        this.table = table;
        float min = Float.MAX_VALUE;
        float max = Float.MIN_NORMAL; // SentencePiece starts from FLT_MIN, the smallest positive normal float
        for (int id = 0; id < table.size(); id++) {
            if (table.type(id) == PieceType.NORMAL) {
                min = Math.min(min, table.score(id));
                max = Math.max(max, table.score(id));
            }
        }
        this.maxScore = max;
        this.unknownScore = min - UNKNOWN_PENALTY;
    }

    @Override
    public List<Segment> segment(String text) {
        int n = text.length();
        if (n == 0) {
            return List.of();
        }
        float[] best = new float[n + 1];
        int[] from = new int[n + 1];
        int[] via = new int[n + 1];
        Arrays.fill(from, -1);
        for (int start = 0; start < n; start += Character.charCount(text.codePointAt(start))) {
            if (start > 0 && from[start] < 0) {
                continue; // unreachable: cannot happen, as every code point has at least the unk path
            }
            int characterEnd = start + Character.charCount(text.codePointAt(start));
            boolean coveredByOneCharacter = false;
            int limit = Math.min(n, start + table.longestSegmentable());
            for (int end = characterEnd; end <= limit; end++) {
                if (end < n && Character.isLowSurrogate(text.charAt(end)) && Character.isHighSurrogate(text.charAt(end - 1))) {
                    continue; // not a code-point boundary
                }
                String piece = text.substring(start, end);
                int id = table.segmentable(piece);
                if (id < 0 || table.type(id) == PieceType.UNUSED) {
                    continue;
                }
                float score = table.type(id) == PieceType.USER_DEFINED
                        ? piece.getBytes(StandardCharsets.UTF_8).length * maxScore - 0.1f
                        : table.score(id);
                coveredByOneCharacter |= end == characterEnd;
                relax(best, from, via, start, end, id, score);
            }
            if (!coveredByOneCharacter) {
                relax(best, from, via, start, characterEnd, table.unkId(), unknownScore);
            }
        }
        List<Segment> out = new ArrayList<>();
        for (int end = n; end > 0; end = from[end]) {
            out.add(new Segment(text.substring(from[end], end), via[end]));
        }
        Collections.reverse(out);
        return out;
    }

    private static void relax(float[] best, int[] from, int[] via, int start, int end, int id, float score) {
        float candidate = best[start] + score;
        if (from[end] < 0 || candidate > best[end]) {
            best[end] = candidate;
            from[end] = start;
            via[end] = id;
        }
    }
}
