package dev.ingot.engine.tokenizer.sentencepiece;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece's BPE encoding. The text starts as one symbol per code point, except that a
 * user-defined piece found at a position becomes one symbol that never merges. Then, over and over,
 * the adjacent pair whose concatenation is a piece with the highest score merges (the leftmost pair
 * among equal scores), until no pair makes a piece. A symbol that is an unused piece is split back into
 * the two halves it was merged from, since unused pieces must not appear in the output.
 */
final class BpeSegmenter implements Segmenter {

    private final PieceTable table;

    BpeSegmenter(PieceTable table) {
        this.table = table;
    }

    @Override
    public List<Segment> segment(String normalized) {
        if (normalized.isEmpty()) {
            return List.of();
        }
        Symbols symbols = new Symbols(normalized);
        symbols.merge();
        List<Segment> out = new ArrayList<>();
        for (int s = 0; s >= 0; s = symbols.next[s]) {
            resegment(symbols.text(s), symbols.unusedHalves, out);
        }
        return out;
    }

    private void resegment(String text, Map<String, String[]> unusedHalves, List<Segment> out) {
        int id = table.idOf(text);
        String[] halves = table.type(id) == PieceType.UNUSED ? unusedHalves.get(text) : null;
        if (halves == null) {
            out.add(new Segment(text, id));
            return;
        }
        resegment(halves[0], unusedHalves, out);
        resegment(halves[1], unusedHalves, out);
    }

    /** A pair that may merge; {@code length} is the merged length, which tells a stale entry from a live one. */
    private record Candidate(float score, int left, int right, int length) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate other) {
            int byScore = Float.compare(other.score, score);
            return byScore != 0 ? byScore : Integer.compare(left, other.left);
        }
    }

    /**
     * The symbols as a linked list of spans {@code [start, start + length)} of the text. A merge grows
     * the left symbol over its right neighbour and empties the neighbour; pairs queued before that are
     * recognised as stale by their recorded length and dropped when they come up.
     */
    private final class Symbols {
        final String text;
        final int[] start;
        final int[] length;
        final int[] prev;
        final int[] next;
        final boolean[] frozen;
        final PriorityQueue<Candidate> candidates = new PriorityQueue<>();
        final Map<String, String[]> unusedHalves = new HashMap<>();

        Symbols(String text) {
            this.text = text;
            int capacity = text.length();
            start = new int[capacity];
            length = new int[capacity];
            prev = new int[capacity];
            next = new int[capacity];
            frozen = new boolean[capacity];
            int count = 0;
            for (int at = 0; at < text.length(); count++) {
                int userDefined = table.userDefinedAt(text, at);
                int width = userDefined > 0 ? userDefined : Character.charCount(text.codePointAt(at));
                start[count] = at;
                length[count] = width;
                frozen[count] = userDefined > 0;
                prev[count] = count - 1;
                next[count] = count + 1;
                at += width;
            }
            next[count - 1] = -1;
        }

        String text(int s) {
            return text.substring(start[s], start[s] + length[s]);
        }

        void merge() {
            for (int s = 0; next[s] >= 0; s = next[s]) {
                offer(s, next[s]);
            }
            while (!candidates.isEmpty()) {
                Candidate c = candidates.poll();
                if (length[c.left] == 0 || length[c.right] == 0 || length[c.left] + length[c.right] != c.length) {
                    continue;
                }
                length[c.left] = c.length;
                length[c.right] = 0;
                next[c.left] = next[c.right];
                if (next[c.right] >= 0) {
                    prev[next[c.right]] = c.left;
                }
                if (prev[c.left] >= 0) {
                    offer(prev[c.left], c.left);
                }
                if (next[c.left] >= 0) {
                    offer(c.left, next[c.left]);
                }
            }
        }

        private void offer(int left, int right) {
            if (frozen[left] || frozen[right]) {
                return;
            }
            int joined = length[left] + length[right];
            String piece = text.substring(start[left], start[left] + joined);
            int id = table.segmentable(piece);
            if (id < 0) {
                return;
            }
            if (table.type(id) == PieceType.UNUSED) {
                unusedHalves.put(piece, new String[] {text(left), text(right)});
            }
            candidates.add(new Candidate(table.score(id), left, right, joined));
        }
    }
}
