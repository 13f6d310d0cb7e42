package dev.ingot.plugins.mistral;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Mistral's Tekken tokenizer: tiktoken-style byte-level BPE. Text is split by the vocabulary's
 * regex; each piece's UTF-8 bytes are one token if the vocabulary has them, else they start as
 * single bytes and the adjacent pair whose concatenation has the lowest rank is merged (the leftmost
 * on ties) until no pair is in the vocabulary. Special tokens are never produced from text and
 * decode to nothing, as mistral-common's default policy for control tokens.
 */
final class TekkenTokenizer implements Tokenizer {

    private final TekkenVocabulary vocabulary;
    private final Map<ByteBuffer, Integer> rankOf;
    private final int bos;
    private final int eos;

    TekkenTokenizer(TekkenVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.rankOf = new HashMap<>(vocabulary.ranks().size() * 2);
        for (int rank = 0; rank < vocabulary.ranks().size(); rank++) {
            rankOf.putIfAbsent(ByteBuffer.wrap(vocabulary.ranks().get(rank)), rank);
        }
        this.bos = vocabulary.specials().indexOf("<s>");
        this.eos = vocabulary.specials().indexOf("</s>");
    }

    @Override
    public int vocabSize() {
        return vocabulary.vocabSize();
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[16];
        int count = 0;
        Matcher matcher = vocabulary.pattern().matcher(text);
        while (matcher.find()) {
            byte[] piece = matcher.group().getBytes(StandardCharsets.UTF_8);
            for (int rank : mergePiece(piece)) {
                if (count == out.length) {
                    out = Arrays.copyOf(out, count * 2);
                }
                out[count++] = rank + vocabulary.numSpecial();
            }
        }
        return Arrays.copyOf(out, count);
    }

    /** The ranks of one pre-tokenized piece. */
    private int[] mergePiece(byte[] piece) {
        Integer whole = rankOf.get(ByteBuffer.wrap(piece));
        if (whole != null) {
            return new int[] {whole};
        }
        // starts[i] is where part i begins; part i ends where part i+1 begins (or at the end).
        int[] starts = new int[piece.length + 1];
        for (int i = 0; i <= piece.length; i++) {
            starts[i] = i;
        }
        int parts = piece.length;
        while (parts > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i < parts - 1; i++) {
                Integer rank = rankOf.get(ByteBuffer.wrap(piece, starts[i], starts[i + 2] - starts[i]));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            System.arraycopy(starts, best + 2, starts, best + 1, parts - best - 1);
            parts--;
        }
        int[] ranks = new int[parts];
        for (int i = 0; i < parts; i++) {
            // every single byte has a rank (ranks 0..255 are the bytes), so a part always has one
            ranks[i] = rankOf.get(ByteBuffer.wrap(piece, starts[i], starts[i + 1] - starts[i]));
        }
        return ranks;
    }

    @Override
    public byte[] decode(int previousToken, int token) {
        checkToken(token);
        if (token < vocabulary.numSpecial()) {
            return new byte[0];
        }
        return vocabulary.ranks().get(token - vocabulary.numSpecial()).clone();
    }

    @Override
    public String piece(int token) {
        checkToken(token);
        if (token < vocabulary.numSpecial()) {
            return vocabulary.specials().get(token);
        }
        return new String(vocabulary.ranks().get(token - vocabulary.numSpecial()), StandardCharsets.UTF_8);
    }

    private void checkToken(int token) {
        if (token < 0 || token >= vocabulary.vocabSize()) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + vocabulary.vocabSize());
        }
    }
}
