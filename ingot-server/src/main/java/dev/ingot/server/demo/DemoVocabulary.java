package dev.ingot.server.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's own small tokenizer, written as a Hugging Face byte-level BPE {@code tokenizer.json} so the
 * engine loads it the ordinary way (a {@code tokenizer.json} beside the checkpoint). A newcomer has no
 * model files, and random weights need a vocabulary whose every token reads as text: plain characters
 * plus English fragments, so a random model's output comes out as nonsense <em>words</em>, not bytes.
 *
 * <p>Ids: {@code <s>} 0, {@code </s>} 1, then the characters, then one token per fragment prefix, each
 * made by one merge of the previous prefix and the next character (" the" is Ġ+t, Ġt+h, Ġth+e).
 */
final class DemoVocabulary {

    static final String BOS = "<s>";
    static final String EOS = "</s>";
    static final int BOS_ID = 0;
    static final int EOS_ID = 1;

    /** GPT-2's byte-level alphabet shows a space as Ġ (U+0120) and a newline as Ċ (U+010A). */
    private static final char SPACE = '\u0120';
    private static final char NEWLINE = '\u010A';

    /**
     * Lower-case letters, the capitals the demo's prompts start with, and light punctuation: every
     * character a random model may pick reads as part of a word. (Characters outside the vocabulary are
     * dropped when encoding, as Hugging Face's BPE does without an unknown token.)
     */
    private static final String CHARACTERS = "abcdefghijklmnopqrstuvwxyzOTIW.,!?'-";

    /** Fragments of English text; a leading space belongs to the word, as GPT-2's splitting has it. */
    private static final List<String> FRAGMENTS = List.of(
            "Once", "The", "In", "We",
            " the", " a", " and", " to", " of", " in", " was", " he", " she", " it", " on", " with", " said",
            " little", " time", " day", " big", " cat", " dog", " sun", " tree", " ball", " box", " play", " saw",
            " had", " they", " her", " his", " you", " we", " not", " but", " so", " up", " one", " very", " happy",
            " friend", " home", " park", " bird", " fish", " red", " blue", " green", " moon", " star", " rain",
            " there", " upon", " robot", " went", " look", " good", " new", " old", " can", " will", " from",
            " weight", " model", " token", " ingot", " plugin", " swap", " load", " step", " train",
            "ing", "ed", "er", "ly", "est", "ion", "th", "he", "an", "in", "on", "re", "at", "en", "or", "st", "ch", "sh",
            "ou", "ow", "oo", "ee", "ay", "al", "ar", "le", "it", "is", "es", "ro", "ra", "pl", "tr", "bl", "gr", "ck");

    private final Map<String, Integer> vocab = new LinkedHashMap<>();
    private final List<String[]> merges = new ArrayList<>();

    DemoVocabulary() {
        vocab.put(BOS, BOS_ID);
        vocab.put(EOS, EOS_ID);
        add(String.valueOf(SPACE));
        add(String.valueOf(NEWLINE));
        CHARACTERS.chars().forEach(c -> add(String.valueOf((char) c)));
        for (String fragment : FRAGMENTS) {
            String pieces = fragment.replace(' ', SPACE);
            String prefix = pieces.substring(0, 1);
            for (int i = 1; i < pieces.length(); i++) {
                String next = pieces.substring(i, i + 1);
                String merged = prefix + next;
                if (!vocab.containsKey(merged)) {
                    merges.add(new String[] {prefix, next});
                    add(merged);
                }
                prefix = merged;
            }
        }
    }

    private void add(String piece) {
        vocab.putIfAbsent(piece, vocab.size());
    }

    int size() {
        return vocab.size();
    }

    /**
     * Writes {@code tokenizer.json} into {@code folder}, and the {@code tokenizer_config.json} beside it that
     * names the BOS and EOS tokens, as Hugging Face saves them; returns the tokenizer.json.
     */
    Path write(Path folder) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        addSpecial(added, BOS_ID, BOS);
        addSpecial(added, EOS_ID, EOS);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
        root.putNull("post_processor");
        root.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocabulary = model.putObject("vocab");
        vocab.forEach(vocabulary::put);
        ArrayNode mergeList = model.putArray("merges");
        for (String[] merge : merges) {
            mergeList.addArray().add(merge[0]).add(merge[1]);
        }
        Path file = folder.resolve("tokenizer.json");
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        ObjectNode config = json.createObjectNode().put("bos_token", BOS).put("eos_token", EOS);
        json.writerWithDefaultPrettyPrinter().writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
        return file;
    }

    private static void addSpecial(ArrayNode added, int id, String content) {
        added.addObject().put("id", id).put("content", content).put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
    }
}
