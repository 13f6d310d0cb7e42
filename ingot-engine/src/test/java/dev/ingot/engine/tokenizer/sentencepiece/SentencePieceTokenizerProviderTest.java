package dev.ingot.engine.tokenizer.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.generate.Completion;
import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.services.Services;
import dev.ingot.spi.format.Detection;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code --tokenizer tokenizer.model} with any checkpoint: the built-in SentencePiece provider. */
class SentencePieceTokenizerProviderTest {

    private static final Path MODEL = SharedModels.storiesBin().resolveSibling("tokenizer.model");
    private final SentencePieceTokenizerProvider provider = new SentencePieceTokenizerProvider();
    private final Services services = new Services();

    @Test
    void claimsAModelFileThatParsesAndNothingElse() throws IOException {
        assertThat(provider.detect(MODEL, services).tier()).isEqualTo(Detection.Tier.LAYOUT);
        assertThat(provider.detect(SharedModels.storiesTokenizer(), services).matches()).isFalse();
        assertThat(provider.detect(SharedModels.storiesHf().resolve("tokenizer.json"), services).matches()).isFalse();
        assertThat(provider.detect(SharedModels.storiesHf(), services).matches()).isFalse();
    }

    /** run.c's reference text through the Hugging Face checkpoint with SentencePiece's own model as the tokenizer. */
    @Test
    void theHfCheckpointWithTheSentencePieceModelReproducesRunC() throws IOException {
        try (LoadedModel loaded = ModelLoader.load(LoadOptions.of(SharedModels.storiesHf()).withTokenizer(MODEL))) {
            assertThat(loaded.tokenizer()).isInstanceOf(SentencePieceTokenizer.class);
            Generator generator = new Generator(loaded);
            int[] prompt = generator.encodePrompt("Once upon a time");
            Completion completion = generator.generate(prompt, SamplingParams.greedy(), 252, 0, t -> {});
            int[] shown = new int[prompt.length - 1 + completion.tokens().size()];
            System.arraycopy(prompt, 1, shown, 0, prompt.length - 1);
            System.arraycopy(completion.tokenIds(), 0, shown, prompt.length - 1, completion.tokens().size());
            assertThat(loaded.tokenizer().decode(prompt[0], shown)).isEqualTo(SharedModels.referenceOnceUponATime());
        }
    }
}
