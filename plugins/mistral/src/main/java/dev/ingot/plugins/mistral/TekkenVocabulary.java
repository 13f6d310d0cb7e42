package dev.ingot.plugins.mistral;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The parsed content of a Tekken {@code tekken.json} (mistral-common's format): {@code config}
 * ({@code pattern}, {@code default_vocab_size}, {@code default_num_special_tokens}), {@code vocab}
 * (byte-level BPE tokens as base64 {@code token_bytes} with their {@code rank}; rank {@code b < 256}
 * is the single byte {@code b}) and {@code special_tokens} ({@code rank}, {@code token_str}).
 * Token ids put the special tokens first: id = rank for specials, {@code numSpecial + rank} otherwise.
 *
 * @param pattern    the pre-tokenizer regex that splits text into pieces before BPE
 * @param ranks      the bytes of each regular token, indexed by rank (cut to the model's vocabulary)
 * @param specials   the special-token strings, indexed by id; unnamed slots are {@code <SPECIAL_i>}
 * @param vocabSize  the model's vocabulary: specials plus regular tokens
 */
record TekkenVocabulary(Pattern pattern, List<byte[]> ranks, List<String> specials, int vocabSize) {

    /** tekken files older than v7 name no special tokens; mistral-common then uses this fixed list. */
    private static final List<String> LEGACY_SPECIALS = List.of("<unk>", "<s>", "</s>", "[INST]", "[/INST]",
            "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]",
            "<pad>", "[IMG_BREAK]", "[IMG_END]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]",
            "[/SYSTEM_PROMPT]", "[TOOL_CONTENT]");

    int numSpecial() {
        return specials.size();
    }

    static TekkenVocabulary read(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.path("config").isObject() || !root.path("vocab").isArray()) {
            throw new CheckpointException(file + ": not a tekken tokenizer: needs a 'config' object and a 'vocab' array");
        }
        JsonNode config = root.get("config");
        int vocabSize = positiveInt(file, config, "default_vocab_size");
        int numSpecial = positiveInt(file, config, "default_num_special_tokens");
        Pattern pattern;
        try {
            // \s and friends are Unicode-aware in tiktoken's regex engine; in Java only with this flag.
            pattern = Pattern.compile(config.path("pattern").asText(""), Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new CheckpointException(file + ": config.pattern is not a regex Java accepts: " + e.getDescription());
        }
        if (config.path("pattern").asText("").isEmpty()) {
            throw new CheckpointException(file + ": config.pattern is missing");
        }
        int regular = vocabSize - numSpecial;
        JsonNode vocab = root.get("vocab");
        if (regular < 256 || vocab.size() < regular) {
            throw new CheckpointException(file + ": default_vocab_size " + vocabSize + " minus " + numSpecial
                    + " special tokens needs " + regular + " (at least 256) regular tokens, the vocab has " + vocab.size());
        }
        List<byte[]> ranks = new ArrayList<>(regular);
        for (int rank = 0; rank < regular; rank++) {
            JsonNode token = vocab.get(rank);
            if (token.path("rank").asInt(-1) != rank) {
                throw new CheckpointException(file + ": vocab entry " + rank + " has rank " + token.path("rank") + "; ranks must count up from 0");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(token.path("token_bytes").asText(""));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file + ": vocab entry " + rank + " has token_bytes that are not base64");
            }
            if (rank < 256 && (bytes.length != 1 || (bytes[0] & 0xFF) != rank)) {
                throw new CheckpointException(file + ": vocab entry " + rank + " must be the single byte " + rank);
            }
            ranks.add(bytes);
        }
        return new TekkenVocabulary(pattern, ranks, specials(file, root, numSpecial), vocabSize);
    }

    private static List<String> specials(Path file, JsonNode root, int numSpecial) throws CheckpointException {
        List<String> named = new ArrayList<>();
        JsonNode specials = root.get("special_tokens");
        if (specials == null || specials.isNull()) {
            named.addAll(LEGACY_SPECIALS);
        } else {
            for (int id = 0; id < specials.size(); id++) {
                JsonNode special = specials.get(id);
                if (special.path("rank").asInt(-1) != id || !special.path("token_str").isTextual()) {
                    throw new CheckpointException(file + ": special_tokens entry " + id + " needs rank " + id + " and a token_str");
                }
                named.add(special.get("token_str").asText());
            }
        }
        if (named.size() > numSpecial) {
            throw new CheckpointException(file + ": " + named.size() + " special tokens but default_num_special_tokens is " + numSpecial);
        }
        for (int id = named.size(); id < numSpecial; id++) {
            named.add("<SPECIAL_" + id + ">");
        }
        return named;
    }

    private static int positiveInt(Path file, JsonNode config, String key) throws CheckpointException {
        JsonNode value = config.get(key);
        if (value == null || !value.canConvertToInt() || value.asInt() <= 0) {
            throw new CheckpointException(file + ": config." + key + " must be a positive integer, got " + value);
        }
        return value.asInt();
    }
}
