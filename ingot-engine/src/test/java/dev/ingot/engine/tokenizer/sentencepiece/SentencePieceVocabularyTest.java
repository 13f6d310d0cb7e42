package dev.ingot.engine.tokenizer.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.tokenizer.HfTokenizer;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tokenizer built from a {@link SentencePieceVocabulary} (as a GGUF file provides one) is the same
 * tokenizer as one read from {@code tokenizer.model}; and on the stories model both agree with the
 * project's llama2.c-checked tokenizer on run.c's reference text.
 */
class SentencePieceVocabularyTest {

    private static SentencePieceTokenizer fromFile;

    @BeforeAll
    static void load() throws IOException {
        fromFile = SentencePieceTokenizer.fromModelFile(SentencePieceReference.modelFile());
    }

    /** The file's vocabulary rebuilt field by field, as a GGUF reader would from its arrays. */
    private static SentencePieceVocabulary asGgufWouldGiveIt() {
        SentencePieceVocabulary v = fromFile.vocabulary();
        return new SentencePieceVocabulary(List.copyOf(v.pieces()), v.scores(), List.copyOf(v.types()),
                v.bosId(), v.eosId(), v.unkId(), v.modelType(), v.addDummyPrefix(), v.byteFallback());
    }

    @Test
    void aVocabularyBuiltTokenizerEncodesAndDecodesAsTheFileBuiltOne() {
        SentencePieceTokenizer fromVocabulary = SentencePieceTokenizer.fromVocabulary(asGgufWouldGiveIt());

        assertThat(fromVocabulary.vocabSize()).isEqualTo(fromFile.vocabSize());
        assertThat(fromVocabulary.bosId()).isEqualTo(fromFile.bosId());
        assertThat(fromVocabulary.eosId()).isEqualTo(fromFile.eosId());
        for (SentencePieceReference.Case c : SentencePieceReference.cases()) {
            int[] ids = fromVocabulary.encode(c.text());
            assertThat(ids).as(c.toString()).isEqualTo(fromFile.encode(c.text())).isEqualTo(c.ids());
            assertThat(fromVocabulary.decode(-1, ids)).as(c.toString()).isEqualTo(c.decoded());
        }
    }

    @Test
    void theShortConstructorMeansWhatTheStoriesFileSays() {
        assertThat(asGgufWouldGiveIt()).isEqualTo(fromFile.vocabulary());
    }

    @Test
    void runCsReferenceTextEncodesAsTheLlama2cCheckedTokenizerDoes() throws IOException {
        HfTokenizer checked = HfTokenizer.load(SharedModels.storiesHf().resolve("tokenizer.json"));
        String reference = SharedModels.referenceOnceUponATime();

        assertThat(fromFile.encode("Once upon a time")).hasSize(4).isEqualTo(checked.encode("Once upon a time"));
        assertThat(fromFile.encode(reference)).isEqualTo(checked.encode(reference));
        assertThat(fromFile.decode(fromFile.bosId(), fromFile.encode(reference))).isEqualTo(reference);
    }

    @Test
    void inconsistentVocabulariesAreRefused() {
        List<String> pieces = List.of("<unk>", "a");
        List<PieceType> types = List.of(PieceType.UNKNOWN, PieceType.NORMAL);

        assertThatThrownBy(() -> new SentencePieceVocabulary(pieces, new float[1], types, -1, -1, 0, ModelType.BPE, true, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the vocabulary has 2 pieces but 1 scores and 2 types");
        assertThatThrownBy(() -> new SentencePieceVocabulary(pieces, new float[2], types, -1, -1, 5, ModelType.BPE, true, false))
                .hasMessage("unk id 5 is outside the vocabulary of 2");
        assertThatThrownBy(() -> new SentencePieceVocabulary(pieces, new float[2], types, 2, -1, 0, ModelType.BPE, true, false))
                .hasMessage("bos id 2 is outside the vocabulary of 2 (use -1 for none)");
        SentencePieceVocabulary word = new SentencePieceVocabulary(pieces, new float[2], types, -1, -1, 0, ModelType.WORD, true, false);
        assertThatThrownBy(() -> SentencePieceTokenizer.fromVocabulary(word))
                .hasMessage("model type WORD is not supported (BPE and UNIGRAM are)");
    }

    @Test
    void theVocabularyCannotBeChangedFromOutside() {
        float[] scores = {0, 1};
        SentencePieceVocabulary v = new SentencePieceVocabulary(List.of("<unk>", "a"), scores,
                List.of(PieceType.UNKNOWN, PieceType.NORMAL), -1, -1, 0, ModelType.BPE, true, false);
        scores[1] = 7;
        v.scores()[1] = 9;

        assertThat(v.scores()).containsExactly(0, 1);
    }
}
