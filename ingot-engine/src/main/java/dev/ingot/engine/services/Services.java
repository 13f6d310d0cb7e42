package dev.ingot.engine.services;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.json.JsonValues;
import dev.ingot.engine.safetensors.SafetensorsTensorSource;
import dev.ingot.engine.safetensors.StrictJson;
import dev.ingot.engine.tokenizer.HfTokenizerProvider;
import dev.ingot.engine.tokenizer.sentencepiece.ModelType;
import dev.ingot.engine.tokenizer.sentencepiece.PieceType;
import dev.ingot.engine.tokenizer.sentencepiece.SentencePieceTokenizer;
import dev.ingot.engine.tokenizer.ByteLevelBpeTokenizers;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.engine.MappedTensor;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.ByteLevelBpeVocabulary;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The engine's {@link EngineServices}: the same validated readers the built-in format uses. Stateless. */
public final class Services implements EngineServices {

    @Override
    public TensorSource safetensors(Path file) throws IOException {
        return SafetensorsTensorSource.open(file);
    }

    @Override
    public TensorSource safetensors(List<Path> files) throws IOException {
        return SafetensorsTensorSource.openFiles(files);
    }

    @Override
    public TensorSource mapped(Path file, List<MappedTensor> tensors) throws IOException {
        return MappedFileTensorSource.open(file, tensors);
    }

    @Override
    public JsonValue readJson(Path file, long maxBytes) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such file", e);
        }
        if (size > maxBytes) {
            throw new CheckpointException(file + ": " + size + " bytes, more than the " + maxBytes + " allowed for this file");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (java.nio.charset.CharacterCodingException e) {
            // found by the fuzzing campaign: this surfaced as "error: Input length = 1", naming nothing
            throw new CheckpointException(file + ": not UTF-8 text, so not a JSON file", e);
        }
        return parseJson(text, file.toString());
    }

    @Override
    public JsonValue parseJson(String text, String origin) throws IOException {
        try {
            JsonNode root = StrictJson.readTree(text);
            return JsonValues.of(root);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(origin + ": not well-formed JSON: " + StrictJson.describe(e), e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(origin + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toJson(JsonValue value) {
        return JsonValues.toJackson(value).toString();
    }

    @Override
    public Tokenizer tokenizerJson(Path file) throws IOException {
        return new HfTokenizerProvider().open(file, this);
    }

    @Override
    public Tokenizer sentencePiece(Path modelFile) throws IOException {
        return SentencePieceTokenizer.fromModelFile(modelFile);
    }

    @Override
    public Tokenizer sentencePiece(SentencePieceVocabulary vocabulary) throws IOException {
        return SentencePieceTokenizer.fromVocabulary(new dev.ingot.engine.tokenizer.sentencepiece.SentencePieceVocabulary(
                vocabulary.pieces(), vocabulary.scores(),
                vocabulary.types().stream().map(t -> PieceType.valueOf(t.name())).toList(),
                vocabulary.bosId(), vocabulary.eosId(), vocabulary.unkId(),
                vocabulary.model() == SentencePieceVocabulary.Model.BPE ? ModelType.BPE : ModelType.UNIGRAM,
                vocabulary.addDummyPrefix(), vocabulary.byteFallback(),
                // llama.cpp keeps runs of spaces for these vocabularies, as Llama's own tokenizer.model says
                false, dev.ingot.engine.tokenizer.sentencepiece.SentencePieceVocabulary.DEFAULT_UNKNOWN_SURFACE));
    }

    @Override
    public Tokenizer byteLevelBpe(ByteLevelBpeVocabulary vocabulary) throws IOException {
        return ByteLevelBpeTokenizers.build(vocabulary, "byte-level BPE vocabulary");
    }
}
