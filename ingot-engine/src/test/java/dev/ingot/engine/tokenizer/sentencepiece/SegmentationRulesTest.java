package dev.ingot.engine.tokenizer.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SentencePiece's rules, each on a vocabulary small enough to see why: BPE merge order and ties,
 * reserved and unused pieces, user-defined pieces, unigram Viterbi, unknown text, normalisation
 * and decoding.
 */
class SegmentationRulesTest {

    /** Builds a vocabulary: {@code <unk> <s> </s>} then the given pieces. */
    private static final class Vocab {
        final List<String> pieces = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        final List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        final List<PieceType> types = new ArrayList<>(List.of(PieceType.UNKNOWN, PieceType.CONTROL, PieceType.CONTROL));

        Vocab add(String piece, float score) {
            return add(piece, score, PieceType.NORMAL);
        }

        Vocab add(String piece, float score, PieceType type) {
            pieces.add(piece);
            scores.add(score);
            types.add(type);
            return this;
        }

        Vocab bytes() {
            for (int b = 0; b < 256; b++) {
                add(String.format("<0x%02X>", b), 0, PieceType.BYTE);
            }
            return this;
        }

        SentencePieceTokenizer tokenizer(ModelType model, boolean dummyPrefix, boolean byteFallback) {
            float[] s = new float[scores.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = scores.get(i);
            }
            return SentencePieceTokenizer.fromVocabulary(
                    new SentencePieceVocabulary(pieces, s, types, 1, 2, 0, model, dummyPrefix, byteFallback));
        }
    }

    private static List<String> pieces(SentencePieceTokenizer tokenizer, String text) {
        return Arrays.stream(tokenizer.encode(text)).mapToObj(tokenizer::piece).toList();
    }

    @Test
    void bpeMergesTheBestScoringPairFirstAndTheLeftmostOfEquals() {
        Vocab v = new Vocab().add("a", 0).add("b", 0).add("c", 0);
        SentencePieceTokenizer tie = new Vocab().add("a", 0).add("b", 0).add("c", 0).add("ab", -1).add("bc", -1)
                .tokenizer(ModelType.BPE, false, false);
        SentencePieceTokenizer rightWins = v.add("ab", -1).add("bc", -0.5f).tokenizer(ModelType.BPE, false, false);

        assertThat(pieces(tie, "abc")).containsExactly("ab", "c");
        assertThat(pieces(rightWins, "abc")).containsExactly("a", "bc");
    }

    @Test
    void controlPiecesAreNeverMadeFromText() {
        SentencePieceTokenizer tokenizer = new Vocab().add("<", 0).add("s", 0).add(">", 0).add("<s", -1).add("/", 0)
                .tokenizer(ModelType.BPE, false, false);

        assertThat(pieces(tokenizer, "<s>")).containsExactly("<s", ">");
        assertThat(pieces(tokenizer, "</s>")).containsExactly("<", "/", "s", ">");
    }

    @Test
    void unusedPiecesHelpMergingButAreSplitBackInTheOutput() {
        SentencePieceTokenizer tokenizer = new Vocab().add("a", 0).add("b", 0).add("c", 0)
                .add("ab", -1, PieceType.UNUSED).add("abc", -2)
                .tokenizer(ModelType.BPE, false, false);

        assertThat(pieces(tokenizer, "ab")).containsExactly("a", "b");
        assertThat(pieces(tokenizer, "abc")).containsExactly("abc");
    }

    @Test
    void userDefinedPiecesAreMatchedWholeAndNeverMerged() {
        SentencePieceTokenizer tokenizer = new Vocab().add("x", 0).add("y", 0).add("b", 0).add("xb", 5)
                .add("<tag>", 0, PieceType.USER_DEFINED).add("b", 0, PieceType.USER_DEFINED)
                .tokenizer(ModelType.BPE, false, false);

        assertThat(pieces(tokenizer, "x<tag>y")).containsExactly("x", "<tag>", "y");
        assertThat(pieces(tokenizer, "x<tag")).containsExactly("x", "<unk>");
    }

    @Test
    void unknownTextIsUnkWithoutByteFallbackAndBytesWithIt() {
        Vocab v = new Vocab().add("▁", 0).add("a", 0);
        SentencePieceTokenizer plain = v.tokenizer(ModelType.BPE, true, false);
        SentencePieceTokenizer bytes = v.bytes().tokenizer(ModelType.BPE, true, true);

        assertThat(pieces(plain, "aé")).containsExactly("▁", "a", "<unk>");
        // A run of unknown characters is one unk, as SentencePiece joins them.
        assertThat(pieces(plain, "éüa ñ")).containsExactly("▁", "<unk>", "a", "▁", "<unk>");
        assertThat(plain.decode(-1, plain.encode("aé"))).isEqualTo("a \u2047 ");
        assertThat(pieces(bytes, "aé")).containsExactly("▁", "a", "<0xC3>", "<0xA9>");
        assertThat(bytes.decode(-1, bytes.encode("aé"))).isEqualTo("aé");
    }

    @Test
    void unigramTakesTheBestScoringSegmentation() {
        Vocab v = new Vocab().add("▁", -3).add("a", -1).add("b", -1).add("c", -1).add("ab", -1.5f).add("▁abc", -4.5f);
        SentencePieceTokenizer tokenizer = v.tokenizer(ModelType.UNIGRAM, false, false);
        SentencePieceTokenizer prefixed = v.tokenizer(ModelType.UNIGRAM, true, false);

        assertThat(pieces(tokenizer, "abc")).containsExactly("ab", "c");
        // ▁abc (-4.5) beats ▁ + ab + c (-5.5), although BPE-style merging would never reach it.
        assertThat(pieces(prefixed, "abc")).containsExactly("▁abc");
        assertThat(pieces(tokenizer, "cab")).containsExactly("c", "ab");
    }

    @Test
    void unigramKeepsTheFirstFoundOfEqualPaths() {
        SentencePieceTokenizer tokenizer = new Vocab().add("a", -1).add("b", -1).add("ab", -2)
                .tokenizer(ModelType.UNIGRAM, false, false);

        assertThat(pieces(tokenizer, "ab")).containsExactly("ab");
    }

    @Test
    void unigramSpellsUncoveredCharactersAsUnkOrBytesAndPrefersUserDefinedPieces() {
        Vocab v = new Vocab().add("a", -1).add("z", -1).add("zz", -50, PieceType.USER_DEFINED);
        SentencePieceTokenizer plain = v.tokenizer(ModelType.UNIGRAM, false, false);
        SentencePieceTokenizer bytes = v.bytes().tokenizer(ModelType.UNIGRAM, false, true);

        assertThat(pieces(plain, "aqa")).containsExactly("a", "<unk>", "a");
        assertThat(pieces(plain, "aqqa")).containsExactly("a", "<unk>", "a");
        assertThat(pieces(bytes, "a😀")).containsExactly("a", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>");
        // Whatever score it was given, a user-defined piece scores its byte length times the best normal score, less 0.1.
        assertThat(pieces(plain, "zz")).containsExactly("zz");
    }

    @Test
    void onlyTheAsciiSpaceIsEscapedAndExtraSpacesGoOnlyWhenAsked() {
        SpaceNormalizer keep = new SpaceNormalizer(true, false);
        SpaceNormalizer squeeze = new SpaceNormalizer(true, true);

        assertThat(keep.normalize("  a \tb  ")).isEqualTo("▁▁▁a▁\tb▁▁");
        assertThat(squeeze.normalize("  a   b  ")).isEqualTo("▁a▁b");
        assertThat(squeeze.normalize("   ")).isEmpty();
        assertThat(keep.normalize("")).isEmpty();
        assertThat(new SpaceNormalizer(false, false).normalize("a b")).isEqualTo("a▁b");
        assertThat(keep.normalize("x\uD800y")).isEqualTo("▁x\uFFFDy");
    }

    @Test
    void decodingDropsOnlyTheDummyPrefixSpaceAndHidesControlPieces() {
        SentencePieceTokenizer tokenizer = new Vocab().add("▁a", 0).add("b▁", 0).bytes().tokenizer(ModelType.BPE, true, true);
        int a = tokenizer.encode("a")[0];
        int[] spaceAndNewline = tokenizer.encode("\n"); // no ▁ piece alone: its three bytes, then the newline's
        int newline = spaceAndNewline[spaceAndNewline.length - 1];

        assertThat(tokenizer.decode(-1, a)).asString(StandardCharsets.UTF_8).isEqualTo("a");
        assertThat(tokenizer.decode(tokenizer.bosId(), a)).asString(StandardCharsets.UTF_8).isEqualTo("a");
        assertThat(tokenizer.decode(a, a)).asString(StandardCharsets.UTF_8).isEqualTo(" a");
        assertThat(tokenizer.decode(a, tokenizer.bosId())).isEmpty();
        assertThat(tokenizer.decode(a, tokenizer.eosId())).isEmpty();
        assertThat(tokenizer.decode(a, newline)).containsExactly('\n');
        assertThat(tokenizer.piece(newline)).isEqualTo("<0x0A>");
    }

    @Test
    void emptyTextEncodesToNothing() {
        SentencePieceTokenizer tokenizer = new Vocab().add("▁", 0).tokenizer(ModelType.BPE, true, false);

        assertThat(tokenizer.encode("")).isEmpty();
        assertThat(new Vocab().add("▁", 0).tokenizer(ModelType.UNIGRAM, true, false).encode("")).isEmpty();
    }
}
