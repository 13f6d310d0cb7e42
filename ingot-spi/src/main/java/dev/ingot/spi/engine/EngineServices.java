package dev.ingot.spi.engine;

import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.ByteLevelBpeVocabulary;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the engine does for a plugin, so a format plugin is mostly its names and its config: the
 * engine's own validated, zero-copy readers, with the same limits and the same one-line errors as the
 * built-in format. Passed to {@link dev.ingot.spi.format.CheckpointFormat#detect} and
 * {@link dev.ingot.spi.format.CheckpointFormat#open}; thread-safe.
 *
 * <p>Every method throws {@link dev.ingot.spi.CheckpointException} naming the file for input that is
 * not what it claims to be.
 */
public interface EngineServices {

    /**
     * A safetensors file, memory-mapped and validated (header, offsets, sizes); or, given a
     * {@code *.safetensors.index.json}, every shard it names as one source. Tensors are zero-copy views.
     */
    TensorSource safetensors(Path file) throws IOException;

    /** Several safetensors files as one source (shards without an index); a name in two files is an error. */
    TensorSource safetensors(List<Path> files) throws IOException;

    /**
     * Maps {@code file} once and serves the listed tensors as zero-copy views of it: for formats whose
     * header says where each tensor is. Every entry must lie inside the file; entries may not overlap.
     */
    TensorSource mapped(Path file, List<MappedTensor> tensors) throws IOException;

    /** Reads a JSON file of at most {@code maxBytes} bytes; duplicate keys are an error. */
    JsonValue readJson(Path file, long maxBytes) throws IOException;

    /** Parses JSON text; {@code origin} names it in errors. */
    JsonValue parseJson(String text, String origin) throws IOException;

    /** Writes a value as compact JSON text (for writers and manifests). */
    String toJson(JsonValue value);

    /** A Hugging Face {@code tokenizer.json} (with its {@code tokenizer_config.json} beside it, if any). */
    Tokenizer tokenizerJson(Path file) throws IOException;

    /** A SentencePiece {@code tokenizer.model} file (the library's protobuf model). */
    Tokenizer sentencePiece(Path modelFile) throws IOException;

    /** A SentencePiece tokenizer from a vocabulary a format carries itself (e.g. GGUF's {@code llama} vocabulary). */
    Tokenizer sentencePiece(SentencePieceVocabulary vocabulary) throws IOException;

    /** A GPT-2-style byte-level BPE tokenizer from a vocabulary and merges (e.g. GGUF's {@code gpt2} vocabulary). */
    Tokenizer byteLevelBpe(ByteLevelBpeVocabulary vocabulary) throws IOException;
}
