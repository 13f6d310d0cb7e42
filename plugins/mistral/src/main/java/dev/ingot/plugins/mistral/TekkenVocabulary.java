package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonArray;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
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

    /** Tekken files of real models are a few MB (NeMo's 131k-token vocabulary is about 15 MB). */
    static final long MAX_BYTES = 256L << 20;

    int numSpecial() {
        return specials.size();
    }

    /** Reads the parsed content of {@code file}; errors name the file and the entry. */
    static TekkenVocabulary from(Path file, JsonValue root) throws CheckpointException {
        if (!(member(root, "config") instanceof JsonObject config) || !(member(root, "vocab") instanceof JsonArray vocab)) {
            throw new CheckpointException(file + ": not a tekken tokenizer: needs a 'config' object and a 'vocab' array");
        }
        int vocabSize = positiveInt(file, config, "default_vocab_size");
        int numSpecial = positiveInt(file, config, "default_num_special_tokens");
        if (!(member(config, "pattern") instanceof JsonString patternText) || patternText.value().isEmpty()) {
            throw new CheckpointException(file + ": config.pattern is missing");
        }
        Pattern pattern;
        try {
            // \s and friends are Unicode-aware in tiktoken's regex engine; in Java only with this flag.
            pattern = Pattern.compile(patternText.value(), Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw new CheckpointException(file + ": config.pattern is not a regex Java accepts: " + e.getDescription());
        }
        int regular = vocabSize - numSpecial;
        if (regular < 256 || vocab.elements().size() < regular) {
            throw new CheckpointException(file + ": default_vocab_size " + vocabSize + " minus " + numSpecial
                    + " special tokens needs " + regular + " (at least 256) regular tokens, the vocab has " + vocab.elements().size());
        }
        List<byte[]> ranks = new ArrayList<>(regular);
        for (int rank = 0; rank < regular; rank++) {
            JsonValue token = vocab.elements().get(rank);
            if (integer(token, "rank") != rank) {
                throw new CheckpointException(file + ": vocab entry " + rank + " has rank " + describe(member(token, "rank"))
                        + "; ranks must count up from 0");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(member(token, "token_bytes") instanceof JsonString s ? s.value() : "?");
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file + ": vocab entry " + rank + " has token_bytes that are not base64");
            }
            if (rank < 256 && (bytes.length != 1 || (bytes[0] & 0xFF) != rank)) {
                throw new CheckpointException(file + ": vocab entry " + rank + " must be the single byte " + rank);
            }
            ranks.add(bytes);
        }
        return new TekkenVocabulary(pattern, ranks, specials(file, member(root, "special_tokens"), numSpecial), vocabSize);
    }

    private static List<String> specials(Path file, JsonValue specials, int numSpecial) throws CheckpointException {
        List<String> named = new ArrayList<>();
        if (!(specials instanceof JsonArray list)) {
            named.addAll(LEGACY_SPECIALS);
        } else {
            for (int id = 0; id < list.elements().size(); id++) {
                JsonValue special = list.elements().get(id);
                if (integer(special, "rank") != id || !(member(special, "token_str") instanceof JsonString name)) {
                    throw new CheckpointException(file + ": special_tokens entry " + id + " needs rank " + id + " and a token_str");
                }
                named.add(name.value());
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

    /** The member {@code key} of an object, or null when {@code value} is no object or lacks it. */
    private static JsonValue member(JsonValue value, String key) {
        return value instanceof JsonObject o ? o.get(key).orElse(null) : null;
    }

    /** An integer member, or -1 when it is absent, not an integer or out of range. */
    private static long integer(JsonValue value, String key) {
        try {
            return member(value, key) instanceof JsonNumber n && n.isIntegral() ? n.longValue() : -1;
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** A value for a message: a number as written, otherwise what kind of value it is. */
    private static String describe(JsonValue value) {
        return value == null ? "nothing" : value instanceof JsonNumber n ? n.literal() : value.kind();
    }

    private static int positiveInt(Path file, JsonObject config, String key) throws CheckpointException {
        long value = integer(config, key);
        if (value <= 0 || value > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ": config." + key + " must be a positive integer, got " + describe(member(config, key)));
        }
        return (int) value;
    }
}
