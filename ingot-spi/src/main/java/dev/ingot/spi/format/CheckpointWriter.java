package dev.ingot.spi.format;

import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Writes canonical weights as a checkpoint of one format: what {@code ingot convert} and the demo use
 * to produce checkpoints in a plugin's format without knowing it. Optional for a format.
 */
@FunctionalInterface
public interface CheckpointWriter {

    /**
     * Writes a checkpoint of {@code spec} into {@code location} (a folder, or a file for single-file
     * formats). {@code config} is the spec in Hugging Face vocabulary, as the spec's architecture describes it
     * ({@link dev.ingot.spi.model.ModelArchitecture#describe}), for formats that store a config as it is.
     * {@code canonical} holds exactly the weights the spec's architecture needs
     * ({@link dev.ingot.spi.model.ModelArchitecture#weights}), in canonical names and layout. The writer
     * applies its format's inverse layout (renames, fusions, permutations) and refuses, with a
     * {@link dev.ingot.spi.CheckpointException}, an architecture or a type its format cannot hold.
     */
    void write(Path location, ModelSpec spec, ModelConfig config, Map<String, Tensor> canonical) throws IOException;

    /**
     * {@link #write(Path, ModelSpec, ModelConfig, Map)} with the source's vocabulary, when the engine could
     * express it as SentencePiece pieces, scores and types, for formats that carry their own vocabulary
     * (GGUF). Returns whether the written checkpoint holds the vocabulary itself, so no tokenizer files
     * need to go beside it. The default ignores the vocabulary and returns {@code false}; a writer that
     * overrides this method keeps the four-argument one working too (an engine that predates this
     * method calls only that one).
     */
    default boolean write(Path location, ModelSpec spec, ModelConfig config, Map<String, Tensor> canonical,
            Optional<SentencePieceVocabulary> vocabulary) throws IOException {
        write(location, spec, config, canonical);
        return false;
    }
}
