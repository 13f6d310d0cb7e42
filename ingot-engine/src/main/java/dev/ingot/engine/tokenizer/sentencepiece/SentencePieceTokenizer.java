package dev.ingot.engine.tokenizer.sentencepiece;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A SentencePiece tokenizer (BPE or unigram) that encodes as Google's library does, built either from
 * a {@code tokenizer.model} file or from a {@link SentencePieceVocabulary} another format carries (a
 * GGUF file with {@code tokenizer.ggml.model = llama}). Immutable and thread-safe.
 *
 * <p>Encoding: normalise ({@link SpaceNormalizer}), segment ({@link BpeSegmenter} or
 * {@link UnigramSegmenter}), then spell what no piece covers with {@code <0xXX>} byte pieces when the
 * model has byte fallback, else with one unk per run of uncovered characters. Decoding is token by token, as the SPI wants, following
 * SentencePiece's rules: control pieces are invisible, byte pieces give their byte, {@code ▁} is a
 * space, and the dummy-prefix space of the first piece of a text (at the start or after BOS) is dropped.
 */
public final class SentencePieceTokenizer implements Tokenizer {

    private static final byte[] NOTHING = new byte[0];

    private final SentencePieceVocabulary vocabulary;
    private final PieceTable table;
    private final SpaceNormalizer normalizer;
    private final Segmenter segmenter;

    private SentencePieceTokenizer(SentencePieceVocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.table = new PieceTable(vocabulary);
        this.normalizer = new SpaceNormalizer(vocabulary.addDummyPrefix(), vocabulary.removeExtraWhitespaces());
        this.segmenter = Segmenter.of(vocabulary.modelType(), table);
    }

    /** Reads a SentencePiece {@code tokenizer.model}; a malformed or unsupported file gives a one-line exception naming it. */
    public static SentencePieceTokenizer fromModelFile(Path file) throws IOException {
        return new SentencePieceTokenizer(ModelProtoReader.read(file));
    }

    /**
     * A tokenizer over a vocabulary from elsewhere.
     *
     * @throws IllegalArgumentException for a model type other than BPE and UNIGRAM
     */
    public static SentencePieceTokenizer fromVocabulary(SentencePieceVocabulary vocabulary) {
        return new SentencePieceTokenizer(vocabulary);
    }

    public SentencePieceVocabulary vocabulary() {
        return vocabulary;
    }

    @Override
    public int vocabSize() {
        return table.size();
    }

    @Override
    public int bosId() {
        return vocabulary.bosId();
    }

    @Override
    public int eosId() {
        return vocabulary.eosId();
    }

    @Override
    public int[] encode(String text) {
        List<Segment> segments = segmenter.segment(normalizer.normalize(text));
        int[] ids = new int[segments.size()];
        int count = 0;
        boolean previousWasUnknown = false;
        for (Segment segment : segments) {
            boolean unknown = segment.id() == table.unkId();
            if (!unknown || !vocabulary.byteFallback()) {
                // Without byte fallback SentencePiece joins a run of unknown characters into one unk.
                if (!(unknown && previousWasUnknown)) {
                    ids = ensure(ids, count + 1);
                    ids[count++] = segment.id();
                }
                previousWasUnknown = unknown;
                continue;
            }
            byte[] bytes = segment.text().getBytes(StandardCharsets.UTF_8);
            ids = ensure(ids, count + bytes.length);
            for (byte b : bytes) {
                int byteId = table.byteId(b & 0xFF);
                ids[count++] = byteId >= 0 ? byteId : table.unkId();
            }
        }
        return count == ids.length ? ids : Arrays.copyOf(ids, count);
    }

    private static int[] ensure(int[] ids, int needed) {
        return needed <= ids.length ? ids : Arrays.copyOf(ids, Math.max(needed, ids.length * 2));
    }

    @Override
    public byte[] decode(int previousToken, int token) {
        checkToken(token);
        String piece = table.piece(token);
        switch (table.type(token)) {
            case CONTROL -> {
                return NOTHING;
            }
            case UNKNOWN -> {
                return vocabulary.unknownSurface().getBytes(StandardCharsets.UTF_8);
            }
            case BYTE -> {
                int value = PieceTable.byteValue(piece);
                if (value >= 0) {
                    return new byte[] {(byte) value};
                }
            }
            default -> { }
        }
        // SentencePiece drops the space the normaliser put before the text, which is the leading ▁ of
        // the first piece; it only does so when the normaliser may have put one there.
        boolean startOfText = previousToken == -1 || previousToken == vocabulary.bosId();
        if (startOfText && (vocabulary.addDummyPrefix() || vocabulary.removeExtraWhitespaces())
                && !piece.isEmpty() && piece.charAt(0) == SpaceNormalizer.SPACE_MARK) {
            piece = piece.substring(1);
        }
        return piece.replace(SpaceNormalizer.SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String piece(int token) {
        checkToken(token);
        return table.piece(token);
    }

    private void checkToken(int token) {
        if (token < 0 || token >= table.size()) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary of " + table.size());
        }
    }

    @Override
    public String toString() {
        return "SentencePieceTokenizer[" + vocabulary + "]";
    }
}
