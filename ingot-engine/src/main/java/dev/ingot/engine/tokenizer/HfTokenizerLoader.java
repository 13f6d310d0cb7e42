package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.engine.load.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads a {@code tokenizer.json} (and its sidecar files) into an {@link HfTokenizer}, or says what is wrong. */
final class HfTokenizerLoader {

    static final String FILE_NAME = "tokenizer.json";

    /** EOS candidates when neither the sidecar files nor the post-processor name one. */
    private static final List<String> USUAL_EOS = List.of("</s>", "<|endoftext|>", "<|end_of_text|>");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HfTokenizerLoader() {}

    static HfTokenizer load(Path location) throws IOException {
        Path file = Files.isDirectory(location) ? location.resolve(FILE_NAME) : location;
        if (!Files.isRegularFile(file)) {
            throw new TokenizerFileException(file, Files.isDirectory(location)
                    ? "the folder has no " + FILE_NAME : "no such tokenizer file");
        }
        JsonFields json = new JsonFields(file);
        requireEntriesWithin(file);
        JsonNode root = parse(file);
        Parsed parsed = parse(root, json);
        TokenizerSidecars sidecars = TokenizerSidecars.read(file.toAbsolutePath().getParent(), MAPPER);
        SpecialIds template = SpecialIds.fromPostProcessor(root.get("post_processor"), json);
        int bos = template.bos() >= 0 ? template.bos() : resolve(sidecars.bosToken(), parsed.table(), file, "bos_token");
        int eos = eosId(sidecars, template, parsed.table(), file);
        return parsed.tokenizer(bos, addsBos(bos, sidecars, template, root.get("post_processor")),
                eos, eos >= 0 && sidecars.addEosToken().orElse(false), sidecars.chatTemplate());
    }

    /**
     * A tokenizer described as a tokenizer.json tree by a format that carries its vocabulary itself
     * (GGUF's byte-level BPE), with the special ids the format states; {@code origin} names it in errors.
     */
    static HfTokenizer fromTree(JsonNode root, Path origin, int bos, int eos, boolean addBos) throws IOException {
        Parsed parsed = parse(root, new JsonFields(origin));
        return parsed.tokenizer(bos, bos >= 0 && addBos, eos, false, Optional.empty());
    }

    /** Everything of a tokenizer.json but its special ids, which come from different places per caller. */
    private record Parsed(PieceTable table, List<AddedTokens.AddedToken> added, TextNormalizer normalizer,
            PreTokenizer preTokenizer, BpeModel bpe, PieceDecoder decoder) {

        HfTokenizer tokenizer(int bos, boolean addsBos, int eos, boolean addsEos, Optional<String> chatTemplate) {
            return new HfTokenizer(new HfTokenizer.Parts(table.pieces(), table.idOfPiece(), table.special(),
                    new AddedTokens(added), normalizer, preTokenizer, bpe, decoder, bos, addsBos, eos, addsEos, chatTemplate));
        }
    }

    private static Parsed parse(JsonNode root, JsonFields json) throws IOException {
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw json.problem("missing \"model\" object (not a Hugging Face tokenizer.json?)");
        }
        String type = JsonFields.optionalText(model, "type");
        if (type == null && model.has("merges")) {
            type = "BPE"; // files from early tokenizers versions leave the type out
        }
        if (type == null) {
            throw json.problem("the \"model\" object has no \"type\"");
        }
        if (!type.equals("BPE")) {
            throw json.problem("unsupported model type \"" + type + "\" (Ingot reads BPE tokenizers only)");
        }
        // model.dropout is ignored on purpose: BPE-dropout regularises training; inference merges deterministically.
        Map<String, Integer> vocab = vocab(model, json);
        BpeModel bpe = new BpeModel(vocab, merges(model, json), options(model), json);
        List<AddedTokens.AddedToken> added = addedTokens(root, json);

        return new Parsed(PieceTable.of(vocab, added), added, TextNormalizer.fromJson(root.get("normalizer"), json),
                PreTokenizer.fromJson(root.get("pre_tokenizer"), json), bpe, PieceDecoder.fromJson(root.get("decoder"), json));
    }

    /**
     * Whether prompts start with BOS: {@code add_bos_token} from tokenizer_config.json when given (Python
     * transformers rebuilds the post-processor from it, so it wins over tokenizer.json), else whether the
     * post-processor template puts a BOS first. A post-processor that adds nothing (Qwen's ByteLevel)
     * means no BOS; a file without any post-processor keeps the Llama convention of BOS when there is one.
     */
    private static boolean addsBos(int bos, TokenizerSidecars sidecars, SpecialIds template, JsonNode postProcessor) {
        if (bos < 0) {
            return false;
        }
        if (sidecars.addBosToken().isPresent()) {
            return sidecars.addBosToken().get();
        }
        return template.bos() >= 0 || postProcessor == null || postProcessor.isNull();
    }

    /** Id to piece (an added token's content wins over the vocabulary's entry), and back. */
    private record PieceTable(String[] pieces, boolean[] special, Map<String, Integer> idOfPiece) {

        static PieceTable of(Map<String, Integer> vocab, List<AddedTokens.AddedToken> addedTokens) {
            int size = tableSize(vocab, addedTokens);
            String[] pieces = new String[size];
            boolean[] special = new boolean[size];
            Map<String, Integer> idOfPiece = new HashMap<>(vocab);
            vocab.forEach((piece, id) -> pieces[id] = piece);
            for (AddedTokens.AddedToken token : addedTokens) {
                pieces[token.id()] = token.content();
                special[token.id()] = token.special();
                idOfPiece.put(token.content(), token.id());
            }
            for (int id = 0; id < size; id++) {
                if (pieces[id] == null) {
                    pieces[id] = ""; // an id no entry names (a hole left by a removed token): it adds no text
                }
            }
            return new PieceTable(pieces, special, Map.copyOf(idOfPiece));
        }

        boolean isSpecial(String piece) {
            Integer id = idOfPiece.get(piece);
            return id != null && special[id];
        }
    }

    /**
     * EOS: tokenizer_config.json's eos_token, else config.json's eos_token_id, else a special token
     * after the sequence in the post-processor template, else a special token with a usual EOS name.
     */
    private static int eosId(TokenizerSidecars sidecars, SpecialIds template, PieceTable table, Path file)
            throws TokenizerFileException {
        int eos = resolve(sidecars.eosToken(), table, file, "eos_token");
        if (eos < 0) {
            eos = sidecars.eosId().filter(id -> id < table.pieces().length).orElse(template.eos());
        }
        if (eos < 0) {
            eos = USUAL_EOS.stream().filter(table::isSpecial).map(table.idOfPiece()::get).findFirst().orElse(-1);
        }
        return eos;
    }

    /** One past the highest id that the vocabulary or an added token uses. */
    private static int tableSize(Map<String, Integer> vocab, List<AddedTokens.AddedToken> added) {
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        for (AddedTokens.AddedToken token : added) {
            size = Math.max(size, token.id() + 1);
        }
        return size;
    }

    /**
     * How many vocabulary entries, merges and added tokens one tokenizer.json may hold together: the
     * documented hard limit, or fewer on a small heap (each costs a few hundred bytes once parsed).
     */
    static long maxEntries() {
        return Math.min(Limits.MAX_TOKENIZER_ENTRIES, Runtime.getRuntime().maxMemory() / 512);
    }

    /** Counts the entries with a streaming parser, allocating nothing per entry, before the file is parsed whole. */
    static void requireEntriesWithin(Path file) throws IOException {
        requireEntriesWithin(file, maxEntries());
    }

    /** As {@link #requireEntriesWithin(Path)} against an explicit limit (tests use a small one). */
    static void requireEntriesWithin(Path file, long limit) throws IOException {
        long count = 0;
        try (java.io.InputStream in = Files.newInputStream(file);
                com.fasterxml.jackson.core.JsonParser parser = MAPPER.getFactory().createParser(in)) {
            if (parser.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return; // the full parse says what is wrong
            }
            while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                com.fasterxml.jackson.core.JsonToken value = parser.nextToken();
                if (field.equals("added_tokens") && value == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                    count = countChildren(parser, count, limit, file);
                } else if (field.equals("model") && value == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    while (parser.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                        String inner = parser.currentName();
                        com.fasterxml.jackson.core.JsonToken start = parser.nextToken();
                        if ((inner.equals("vocab") || inner.equals("merges")) && start.isStructStart()) {
                            count = countChildren(parser, count, limit, file);
                        } else {
                            parser.skipChildren();
                        }
                    }
                } else {
                    parser.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            // malformed: the full parse reports it in its words
        }
    }

    private static long countChildren(com.fasterxml.jackson.core.JsonParser parser, long count, long limit, Path file)
            throws IOException {
        com.fasterxml.jackson.core.JsonToken token;
        while ((token = parser.nextToken()) != null && !token.isStructEnd()) {
            if (token == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                token = parser.nextToken();
            }
            parser.skipChildren();
            if (++count > limit) {
                throw new TokenizerFileException(file, "holds more than " + limit + " vocabulary entries, merges and added tokens");
            }
        }
        return count;
    }

    static JsonNode parse(Path file) throws IOException {
        try {
            JsonNode root = MAPPER.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new TokenizerFileException(file, "not a tokenizer.json: the top level must be a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new TokenizerFileException(file, "not valid JSON" + where + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    private static int resolve(Optional<String> content, PieceTable table, Path file, String field)
            throws TokenizerFileException {
        if (content.isEmpty()) {
            return -1;
        }
        Integer id = table.idOfPiece().get(content.get());
        if (id == null) {
            throw new TokenizerFileException(file.resolveSibling("tokenizer_config.json"),
                    field + " \"" + content.get() + "\" is not in the vocabulary of " + file.getFileName());
        }
        return id;
    }

    private static Map<String, Integer> vocab(JsonNode model, JsonFields json) throws TokenizerFileException {
        JsonNode vocab = json.object(model, "vocab", "model");
        Map<String, Integer> out = new HashMap<>(vocab.size() * 2);
        Map<Integer, String> pieceOfId = new HashMap<>(vocab.size() * 2);
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            if (!entry.getValue().canConvertToInt() || entry.getValue().asInt() < 0) {
                throw json.problem("model.vocab entry \"" + entry.getKey() + "\" must map to a token id >= 0");
            }
            int id = entry.getValue().asInt();
            requireTokenId(id, "model.vocab entry \"" + entry.getKey() + "\"", json);
            String other = pieceOfId.putIfAbsent(id, entry.getKey());
            if (other != null) {
                throw json.problem("model.vocab gives id " + id + " to both \"" + other + "\" and \"" + entry.getKey() + "\"");
            }
            out.put(entry.getKey(), id);
        }
        return out;
    }

    /** Merges are written {@code "a b"} (older files) or {@code ["a", "b"]} (pieces may then hold spaces). */
    private static List<BpeModel.Merge> merges(JsonNode model, JsonFields json) throws TokenizerFileException {
        JsonNode merges = model.get("merges");
        List<BpeModel.Merge> out = new ArrayList<>();
        if (merges == null || merges.isNull()) {
            return out;
        }
        for (JsonNode merge : merges) {
            if (merge.isTextual()) {
                String[] parts = merge.asText().split(" ", -1);
                if (parts.length != 2) {
                    throw json.problem("model.merges[" + out.size() + "] \"" + merge.asText() + "\" is not two pieces separated by one space");
                }
                out.add(new BpeModel.Merge(parts[0], parts[1]));
            } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                out.add(new BpeModel.Merge(merge.get(0).asText(), merge.get(1).asText()));
            } else {
                throw json.problem("model.merges[" + out.size() + "] must be \"a b\" or [\"a\", \"b\"]");
            }
        }
        return out;
    }

    /** Token ids index tables sized by the largest one: each must stay below the vocabulary limit. */
    private static void requireTokenId(int id, String what, JsonFields json) throws TokenizerFileException {
        if (id >= Limits.MAX_VOCABULARY) {
            throw json.problem(what + " has id " + id + ", more than the largest token id Ingot accepts ("
                    + (Limits.MAX_VOCABULARY - 1) + ")");
        }
    }

    private static BpeModel.Options options(JsonNode model) {
        return new BpeModel.Options(
                JsonFields.optionalText(model, "unk_token"),
                JsonFields.flag(model, "fuse_unk", false),
                JsonFields.flag(model, "byte_fallback", false),
                JsonFields.flag(model, "ignore_merges", false),
                JsonFields.optionalText(model, "continuing_subword_prefix"),
                JsonFields.optionalText(model, "end_of_word_suffix"));
    }

    private static List<AddedTokens.AddedToken> addedTokens(JsonNode root, JsonFields json) throws TokenizerFileException {
        List<AddedTokens.AddedToken> out = new ArrayList<>();
        JsonNode added = root.get("added_tokens");
        if (added == null || added.isNull()) {
            return out;
        }
        for (JsonNode token : added) {
            JsonNode id = token.get("id");
            if (id == null || !id.canConvertToInt() || id.asInt() < 0) {
                throw json.problem("added_tokens[" + out.size() + "] needs an \"id\" >= 0");
            }
            requireTokenId(id.asInt(), "added_tokens[" + out.size() + "]", json);
            out.add(new AddedTokens.AddedToken(
                    id.asInt(),
                    json.text(token, "content", "added_tokens[" + out.size() + "]"),
                    JsonFields.flag(token, "special", false),
                    JsonFields.flag(token, "single_word", false),
                    JsonFields.flag(token, "lstrip", false),
                    JsonFields.flag(token, "rstrip", false)));
        }
        return out;
    }
}
