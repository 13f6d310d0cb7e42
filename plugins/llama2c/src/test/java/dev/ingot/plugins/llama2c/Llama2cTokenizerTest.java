package dev.ingot.plugins.llama2c;

import dev.ingot.engine.testing.PluginTests;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import dev.ingot.testkit.SharedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cTokenizerTest {

    private final Llama2cTokenizerProvider provider = new Llama2cTokenizerProvider();

    @Test
    void readsTheRealVocabulary() throws IOException {
        Tokenizer tokenizer = provider.open(SharedModels.storiesTokenizer(), PluginTests.ENGINE);
        assertThat(tokenizer.vocabSize()).isEqualTo(512);
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).isEqualTo(2);
        // the models README: 3..258 are the byte-fallback tokens <0x00>..<0xFF>
        assertThat(tokenizer.piece(3)).isEqualTo("<0x00>");
        assertThat(tokenizer.piece(258)).isEqualTo("<0xFF>");
    }

    @Test
    void encodesThePromptAsRunCDoes() throws IOException {
        Tokenizer tokenizer = provider.open(SharedModels.storiesTokenizer(), PluginTests.ENGINE);
        // run.c prints 4 prompt tokens for this prompt (models README)
        int[] tokens = tokenizer.encode("Once upon a time");
        assertThat(tokens).hasSize(4);
        assertThat(tokenizer.decode(1, tokens)).isEqualTo("Once upon a time");
        assertThat(tokenizer.encode("")).isEmpty();
    }

    /** Hugging Face's tokenizer.json for the same vocabulary names each id's piece with ▁ for the space. */
    @Test
    void tokenIdsAgreeWithTheHuggingFaceVocabulary() throws IOException {
        Tokenizer tokenizer = provider.open(SharedModels.storiesTokenizer(), PluginTests.ENGINE);
        JsonNode vocab = new ObjectMapper().readTree(SharedModels.storiesHf().resolve("tokenizer.json").toFile()).at("/model/vocab");
        for (int token : tokenizer.encode("Once upon a time, there was a little girl named Lily.")) {
            String hfPiece = tokenizer.piece(token).replace(' ', '\u2581');
            assertThat(vocab.path(hfPiece).asInt(-1)).as(hfPiece).isEqualTo(token);
        }
    }

    @Test
    void theReferenceStoryRoundTrips() throws IOException {
        Tokenizer tokenizer = provider.open(SharedModels.storiesTokenizer(), PluginTests.ENGINE);
        String story = SharedModels.referenceOnceUponATime();
        int[] tokens = tokenizer.encode(story);
        assertThat(tokens.length).isLessThan(story.length() / 2); // merged, not byte by byte
        assertThat(tokenizer.decode(1, tokens)).isEqualTo(story);
        // newlines have no piece of their own in this vocabulary: they are byte-fallback <0x0A> (3 + 10)
        assertThat(Arrays.stream(tokens).filter(t -> t == 13).count()).isEqualTo(story.chars().filter(c -> c == '\n').count());
    }

    @Test
    void unknownCharactersFallBackToTheirUtf8Bytes() throws IOException {
        Tokenizer tokenizer = provider.open(SharedModels.storiesTokenizer(), PluginTests.ENGINE);
        String text = "naïve ☃";
        int[] tokens = tokenizer.encode(text);
        byte[] snowman = "☃".getBytes(StandardCharsets.UTF_8);
        int[] tail = Arrays.copyOfRange(tokens, tokens.length - 3, tokens.length);
        assertThat(tail).containsExactly((snowman[0] & 0xFF) + 3, (snowman[1] & 0xFF) + 3, (snowman[2] & 0xFF) + 3);
        assertThat(tokenizer.decode(1, tokens)).isEqualTo(text);
    }

    @Test
    void leadingSpaceIsKeptExceptAfterBos() throws IOException {
        Tokenizer tokenizer = provider.open(SharedModels.storiesTokenizer(), PluginTests.ENGINE);
        int once = tokenizer.encode("Once")[0];
        assertThat(tokenizer.piece(once)).isEqualTo(" Once");
        assertThat(new String(tokenizer.decode(1, once), StandardCharsets.UTF_8)).isEqualTo("Once");
        assertThat(new String(tokenizer.decode(200, once), StandardCharsets.UTF_8)).isEqualTo(" Once");
        assertThat(tokenizer.decode(0, 1)).isEmpty();
        assertThat(tokenizer.decode(0, 2)).isEmpty();
        assertThatThrownBy(() -> tokenizer.decode(1, 512)).hasMessage("token 512 is outside the vocabulary of 512");
    }

    @Test
    void detectsTokenizerFilesOnly() throws IOException {
        assertThat(provider.detect(SharedModels.storiesTokenizer(), PluginTests.ENGINE).tier()).isEqualTo(dev.ingot.spi.format.Detection.Tier.LAYOUT);
        assertThat(provider.detect(SharedModels.storiesBin(), PluginTests.ENGINE).matches()).isFalse();
        assertThat(provider.detect(SharedModels.storiesHf().resolve("tokenizer.json"), PluginTests.ENGINE).matches()).isFalse();
        assertThat(provider.detect(SharedModels.storiesHf(), PluginTests.ENGINE).matches()).isFalse();
    }

    @Test
    void aTruncatedTokenizerNamesTheTokenAndOffset(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(SharedModels.storiesTokenizer());
        Path cut = dir.resolve("tok512.bin");
        Files.write(cut, Arrays.copyOf(all, all.length - 2));
        assertThat(provider.detect(cut, PluginTests.ENGINE).matches()).isFalse();
        assertThatThrownBy(() -> provider.open(cut, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(cut + ": token 511 at offset ")
                .hasMessageContaining("bytes but only");
    }

    @Test
    void aVocabularyWithoutTheByteTokensIsRefused(@TempDir Path dir) throws IOException {
        // found by the fuzzing campaign: ten tokens loaded, and encoding "O" then asked for byte token 82
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.nio.ByteBuffer record = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.write(record.putInt(0, 8).array(), 0, 4);
        for (String piece : new String[] {"<unk>", "<s>", "</s>", " a", "b"}) {
            record.clear();
            record.putFloat(0f).putInt(piece.length());
            bytes.write(record.array(), 0, 8);
            bytes.writeBytes(piece.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Path small = dir.resolve("tok5.bin");
        Files.write(small, bytes.toByteArray());
        assertThatThrownBy(() -> provider.open(small, PluginTests.ENGINE))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(small + ": only 5 tokens; a llama2.c vocabulary starts with <unk>, <s>, </s> and the 256 byte tokens"
                        + " <0x00>..<0xFF> (ids 3..258)");
    }

    @Test
    void theCheckpointFindsTheTokenizerBesideIt(@TempDir Path dir) throws IOException {
        try (Checkpoint checkpoint = new Llama2cFormat().open(SharedModels.storiesBin(), PluginTests.ENGINE)) {
            assertThat(checkpoint.tokenizer()).get().extracting(Tokenizer::vocabSize).isEqualTo(512);
        }
        Path model = Files.copy(SharedModels.storiesBin(), dir.resolve("model.bin"));
        try (Checkpoint checkpoint = new Llama2cFormat().open(model, PluginTests.ENGINE)) {
            assertThat(checkpoint.tokenizer()).isEmpty();
            Files.copy(SharedModels.storiesTokenizer(), dir.resolve("tok512.bin"));
            Files.copy(SharedModels.storiesTokenizer(), dir.resolve("tok512-copy.bin"));
            assertThatThrownBy(checkpoint::tokenizer)
                    .isInstanceOf(CheckpointException.class)
                    .hasMessage(model + ": several llama2.c tokenizers beside it ([tok512-copy.bin, tok512.bin]); choose one with --tokenizer");
            Files.copy(SharedModels.storiesTokenizer(), dir.resolve("tokenizer.bin"));
            assertThat(checkpoint.tokenizer()).isPresent();
        }
    }

}
