package dev.ingot.engine.tokenizer.sentencepiece;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The vocabulary indexed the way SentencePiece looks pieces up. Normal, user-defined and unused pieces
 * can be produced from text ({@link #segmentable}); control, unknown and byte pieces are "reserved":
 * they are found by {@link #idOf} but never grown by merges or matched by Viterbi, which is why the
 * text {@code "<s>"} is spelled with ordinary pieces.
 */
final class PieceTable {

    private final List<String> pieces;
    private final PieceType[] types;
    private final float[] scores;
    private final int unkId;
    private final Map<String, Integer> segmentable = new HashMap<>();
    private final Map<String, Integer> reserved = new HashMap<>();
    private final int[] byteIds = new int[256];
    private final Map<String, Integer> userDefined = new HashMap<>();
    private int longestUserDefined;
    private int longestSegmentable;

    PieceTable(SentencePieceVocabulary vocabulary) {
        pieces = vocabulary.pieces();
        types = vocabulary.types().toArray(PieceType[]::new);
        scores = vocabulary.scores();
        unkId = vocabulary.unkId();
        Arrays.fill(byteIds, -1);
        for (int id = 0; id < types.length; id++) {
            String piece = pieces.get(id);
            switch (types[id]) {
                case NORMAL, UNUSED -> putSegmentable(piece, id);
                case USER_DEFINED -> {
                    putSegmentable(piece, id);
                    if (userDefined.putIfAbsent(piece, id) == null) {
                        longestUserDefined = Math.max(longestUserDefined, piece.length());
                    }
                }
                case BYTE -> {
                    reserved.putIfAbsent(piece, id);
                    int value = byteValue(piece);
                    if (value >= 0 && byteIds[value] < 0) {
                        byteIds[value] = id;
                    }
                }
                case CONTROL, UNKNOWN -> reserved.putIfAbsent(piece, id);
            }
        }
    }

    private void putSegmentable(String piece, int id) {
        // A duplicated piece keeps its first id, as a lookup by text can only answer one.
        if (segmentable.putIfAbsent(piece, id) == null) {
            longestSegmentable = Math.max(longestSegmentable, piece.length());
        }
    }

    int size() {
        return types.length;
    }

    /** The id of a normal, user-defined or unused piece spelled {@code text}, or -1. */
    int segmentable(String text) {
        Integer id = segmentable.get(text);
        return id == null ? -1 : id;
    }

    /** SentencePiece's {@code PieceToId}: reserved pieces first, then the others, else unk. */
    int idOf(String text) {
        Integer id = reserved.get(text);
        if (id == null) {
            id = segmentable.get(text);
        }
        return id == null ? unkId : id;
    }

    /** Length in chars of the longest user-defined piece starting at {@code at}, or 0. */
    int userDefinedAt(String text, int at) {
        for (int length = Math.min(longestUserDefined, text.length() - at); length > 0; length--) {
            if (userDefined.containsKey(text.substring(at, at + length))) {
                return length;
            }
        }
        return 0;
    }

    /** Length in chars of the longest piece that can be produced from text. */
    int longestSegmentable() {
        return longestSegmentable;
    }

    int byteId(int value) {
        return byteIds[value];
    }

    int unkId() {
        return unkId;
    }

    String piece(int id) {
        return pieces.get(id);
    }

    PieceType type(int id) {
        return types[id];
    }

    float score(int id) {
        return scores[id];
    }

    /** The byte a {@code <0xXX>} piece stands for, or -1 when the piece is not spelled that way. */
    static int byteValue(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int high = Character.digit(piece.charAt(3), 16);
        int low = Character.digit(piece.charAt(4), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }
}
