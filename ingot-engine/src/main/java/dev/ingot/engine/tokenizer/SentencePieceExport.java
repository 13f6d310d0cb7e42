package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary.PieceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A {@code tokenizer.json} that is a SentencePiece BPE model in Hugging Face's clothes (Llama, Mistral:
 * a BPE model with byte fallback over {@code ▁}-spelled pieces) as SentencePiece's own pieces, scores and
 * types, for writers of formats that embed a vocabulary (GGUF's {@code llama} tokenizer).
 *
 * <p>SentencePiece orders a BPE model's pieces by when training created them and scores each with minus
 * that order; a tokenizer.json keeps the order in the ids and drops the scores. So a normal piece's score
 * is minus its rank among the normal pieces, which is exactly what SentencePiece wrote (llama2.c's
 * {@code tok512.bin} of stories260K: byte and control pieces 0, normal piece {@code 259 + r} scores
 * {@code -r}); byte pieces {@code <0xHH>}, control and unknown pieces score 0.
 */
public final class SentencePieceExport {

    /** The vocabulary, or why the file cannot be one. */
    public record Result(SentencePieceVocabulary vocabulary, String reason) {}

    private SentencePieceExport() {}

    /** {@code file} (a tokenizer.json) as SentencePiece, with the model's own BOS and EOS ids (-1: none). */
    public static Result fromTokenizerJson(Path file, int bosId, int eosId) throws IOException {
        if (!Files.isRegularFile(file)) {
            return new Result(null, "no " + HfTokenizerLoader.FILE_NAME + " beside the source");
        }
        HfTokenizerLoader.requireEntriesWithin(file);
        JsonNode root = HfTokenizerLoader.parse(file);
        JsonNode model = root.path("model");
        if (!model.path("type").asText("").equals("BPE") || !model.path("byte_fallback").asBoolean(false)) {
            return new Result(null, file + " is not a SentencePiece-style BPE model with byte fallback (model type '"
                    + model.path("type").asText("?") + "'); byte-level BPE vocabularies (GGUF's 'gpt2' tokenizer) are not written");
        }
        JsonNode vocab = model.path("vocab");
        int size = vocab.size();
        for (JsonNode added : root.path("added_tokens")) {
            size = Math.max(size, added.path("id").asInt() + 1);
        }
        String[] pieces = new String[size];
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            int id = entry.getValue().asInt(-1);
            if (id < 0 || id >= size || pieces[id] != null) {
                return new Result(null, file + ": piece '" + entry.getKey() + "' has id " + id + ", not a dense vocabulary");
            }
            pieces[id] = entry.getKey();
        }
        boolean[] control = new boolean[size];
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").asInt();
            pieces[id] = added.path("content").asText();
            control[id] = added.path("special").asBoolean(false);
        }
        for (int id = 0; id < size; id++) {
            if (pieces[id] == null) {
                return new Result(null, file + ": no piece has id " + id + " (SentencePiece vocabularies are dense)");
            }
        }
        String unkPiece = model.path("unk_token").asText("<unk>");
        int unk = Arrays.asList(pieces).indexOf(unkPiece);
        float[] scores = new float[size];
        List<PieceType> types = new ArrayList<>(size);
        int rank = 0;
        for (int id = 0; id < size; id++) {
            PieceType type = id == unk ? PieceType.UNKNOWN
                    : control[id] ? PieceType.CONTROL
                    : pieces[id].matches("<0x[0-9A-F]{2}>") ? PieceType.BYTE
                    : PieceType.NORMAL;
            types.add(type);
            if (type == PieceType.NORMAL) {
                scores[id] = -rank++;
            }
        }
        boolean dummyPrefix = root.path("normalizer").toString().contains("\"Prepend\"")
                || root.path("pre_tokenizer").path("prepend_scheme").asText("").equals("always")
                || root.path("pre_tokenizer").path("add_prefix_space").asBoolean(false);
        return new Result(new SentencePieceVocabulary(List.of(pieces), scores, types, SentencePieceVocabulary.Model.BPE,
                bosId < size ? bosId : -1, eosId < size ? eosId : -1, unk, dummyPrefix, true), null);
    }
}
