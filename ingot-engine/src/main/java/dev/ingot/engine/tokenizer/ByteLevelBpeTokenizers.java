package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tokenizer.ByteLevelBpeVocabulary;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A GPT-2-style byte-level BPE tokenizer from a vocabulary a format carries (GGUF's {@code gpt2}),
 * described as the {@code tokenizer.json} Hugging Face would write for it and read by the same
 * loader, so both routes tokenize identically.
 */
public final class ByteLevelBpeTokenizers {

    /**
     * Pre-tokenizer split patterns by llama.cpp's {@code tokenizer.ggml.pre} name: the regexes the
     * models' own {@code tokenizer.json} files use.
     */
    private static final Map<String, String> SPLITS = Map.of(
            "gpt2", "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            "qwen2", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            "llama-bpe", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private ByteLevelBpeTokenizers() {}

    public static Tokenizer build(ByteLevelBpeVocabulary vocabulary, String origin) throws IOException {
        String pre = vocabulary.preTokenizer().equals("default") ? "gpt2" : vocabulary.preTokenizer();
        String split = SPLITS.get(pre);
        if (split == null) {
            throw new CheckpointException(origin + ": byte-level BPE pre-tokenizer '" + vocabulary.preTokenizer()
                    + "' is not supported; supported: " + String.join(", ", SPLITS.keySet().stream().sorted().toList()) + ", default");
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        ArrayNode added = root.putArray("added_tokens");
        ObjectNode vocab = f.objectNode();
        for (int id = 0; id < vocabulary.tokens().size(); id++) {
            String token = vocabulary.tokens().get(id);
            ByteLevelBpeVocabulary.Kind kind = vocabulary.kinds().get(id);
            if (kind != ByteLevelBpeVocabulary.Kind.NORMAL) {
                // matched whole in input text, as tokenizer.json's added tokens are; only CONTROL ones are special
                added.addObject().put("id", id).put("content", token).put("single_word", false).put("lstrip", false)
                        .put("rstrip", false).put("normalized", false)
                        .put("special", kind == ByteLevelBpeVocabulary.Kind.CONTROL);
            }
            if (vocab.has(token)) {
                throw new CheckpointException(origin + ": token '" + token + "' appears twice in the vocabulary (ids "
                        + vocab.get(token).intValue() + " and " + id + ")");
            }
            vocab.put(token, id);
        }
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.put("byte_fallback", false);
        model.set("vocab", vocab);
        ArrayNode merges = model.putArray("merges");
        vocabulary.merges().forEach(merges::add);
        ObjectNode preTokenizer = root.putObject("pre_tokenizer");
        preTokenizer.put("type", "Sequence");
        ArrayNode steps = preTokenizer.putArray("pretokenizers");
        ObjectNode splitStep = steps.addObject();
        splitStep.put("type", "Split");
        splitStep.putObject("pattern").put("Regex", split);
        splitStep.put("behavior", "Isolated");
        splitStep.put("invert", false);
        steps.addObject().put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false)
                .put("use_regex", false);
        root.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        return HfTokenizerLoader.fromTree(root, Path.of(origin), vocabulary.bosId(), vocabulary.eosId(), vocabulary.addBos());
    }
}
