package dev.ingot.engine.tokenizer.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every text of {@code sentencepiece.jsonl} encodes to exactly the ids SentencePiece gave it with the
 * same {@code tokenizer.model}, and those ids decode to exactly SentencePiece's decoded text: spaces,
 * tabs and newlines, byte fallback for every script and emoji, and text spelling control tokens.
 */
class SentencePieceReferenceTest {

    private static SentencePieceTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = SentencePieceTokenizer.fromModelFile(SentencePieceReference.modelFile());
    }

    static List<SentencePieceReference.Case> cases() {
        return SentencePieceReference.cases();
    }

    @Test
    void theModelIsReadAsTrained() {
        SentencePieceVocabulary v = tokenizer.vocabulary();
        assertThat(v.modelType()).isEqualTo(ModelType.BPE);
        assertThat(tokenizer.vocabSize()).isEqualTo(512);
        assertThat(List.of(tokenizer.piece(0), tokenizer.piece(1), tokenizer.piece(2))).containsExactly("<unk>", "<s>", "</s>");
        assertThat(List.of(v.unkId(), tokenizer.bosId(), tokenizer.eosId())).containsExactly(0, 1, 2);
        assertThat(v.types().subList(0, 3)).containsExactly(PieceType.UNKNOWN, PieceType.CONTROL, PieceType.CONTROL);
        assertThat(v.types().subList(3, 259)).containsOnly(PieceType.BYTE);
        assertThat(v.byteFallback()).isTrue();
        assertThat(v.addDummyPrefix()).isTrue();
        assertThat(v.removeExtraWhitespaces()).isFalse();
    }

    @Test
    void theReferenceCoversAllOfItsLines() {
        assertThat(cases()).hasSize(120);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void encodesAsSentencePieceDoes(SentencePieceReference.Case c) {
        int[] ids = tokenizer.encode(c.text());

        assertThat(Arrays.stream(ids).mapToObj(tokenizer::piece).toList()).isEqualTo(c.pieces());
        assertThat(ids).isEqualTo(c.ids());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decodesAsSentencePieceDoes(SentencePieceReference.Case c) {
        assertThat(tokenizer.decode(-1, c.ids())).isEqualTo(c.decoded());
        // After BOS, as a prompt is fed to the model, the text comes back the same.
        assertThat(tokenizer.decode(tokenizer.bosId(), c.ids())).isEqualTo(c.decoded());
    }
}
