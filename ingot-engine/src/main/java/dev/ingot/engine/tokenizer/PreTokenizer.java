package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code "pre_tokenizer"} of a {@code tokenizer.json}: cuts normalized text into words (the BPE
 * model never merges across words) and may rewrite them (byte-level characters, {@code ▁} for space).
 */
@FunctionalInterface
interface PreTokenizer {

    /**
     * A word on its way to the model. {@code atStart} says it begins the input text (not just a stretch
     * after an added token), which Metaspace's {@code prepend_scheme: "first"} looks at.
     */
    record Word(String text, boolean atStart) {}

    List<Word> split(Word word);

    PreTokenizer NONE = List::of;

    /** GPT-2's word pattern, which ByteLevel applies when {@code use_regex} is on. */
    Pattern GPT2_WORDS = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    static PreTokenizer fromJson(JsonNode node, JsonFields json) throws TokenizerFileException {
        if (node == null || node.isNull()) {
            return NONE;
        }
        String type = json.type(node, "pre_tokenizer");
        return switch (type) {
            case "Sequence" -> sequence(node, json);
            case "Split" -> {
                Pattern pattern = TextNormalizer.pattern(json.object(node, "pattern", "pre_tokenizer Split"), json,
                        "pre_tokenizer Split");
                SplitBehavior behavior = SplitBehavior.fromJson(json.text(node, "behavior", "pre_tokenizer Split"), json);
                boolean invert = JsonFields.flag(node, "invert", false);
                yield pieces(word -> behavior.split(word, pattern, invert));
            }
            case "ByteLevel" -> byteLevel(JsonFields.flag(node, "add_prefix_space", true),
                    JsonFields.flag(node, "use_regex", true));
            case "Metaspace" -> metaspace(node, json);
            case "Digits" -> {
                Pattern digits = Pattern.compile(JsonFields.flag(node, "individual_digits", false) ? "\\p{N}" : "\\p{N}+");
                yield pieces(word -> SplitBehavior.ISOLATED.split(word, digits, false));
            }
            case "Whitespace" -> {
                Pattern words = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);
                yield pieces(word -> SplitBehavior.REMOVED.split(word, words, true));
            }
            case "WhitespaceSplit" -> {
                Pattern spaces = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
                yield pieces(word -> SplitBehavior.REMOVED.split(word, spaces, false));
            }
            default -> throw json.problem("unsupported pre_tokenizer type \"" + type
                    + "\" (supported: Sequence, Split, ByteLevel, Metaspace, Digits, Whitespace, WhitespaceSplit)");
        };
    }

    /** A pre-tokenizer that only cuts: the first piece of a word keeps the word's place at the start. */
    private static PreTokenizer pieces(java.util.function.Function<String, List<String>> cut) {
        return word -> {
            List<String> texts = cut.apply(word.text());
            List<Word> out = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                out.add(new Word(texts.get(i), word.atStart() && i == 0));
            }
            return out;
        };
    }

    private static PreTokenizer sequence(JsonNode node, JsonFields json) throws TokenizerFileException {
        List<PreTokenizer> steps = new ArrayList<>();
        for (JsonNode step : node.path("pretokenizers")) {
            steps.add(fromJson(step, json));
        }
        return word -> {
            List<Word> words = List.of(word);
            for (PreTokenizer step : steps) {
                List<Word> next = new ArrayList<>();
                for (Word w : words) {
                    next.addAll(step.split(w));
                }
                words = next;
            }
            return words;
        };
    }

    private static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        return word -> {
            String text = addPrefixSpace && !word.text().startsWith(" ") ? " " + word.text() : word.text();
            List<String> texts = useRegex ? SplitBehavior.ISOLATED.split(text, GPT2_WORDS, false) : List.of(text);
            List<Word> out = new ArrayList<>(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                out.add(new Word(ByteLevelAlphabet.encode(texts.get(i)), word.atStart() && i == 0));
            }
            return out;
        };
    }

    /**
     * SentencePiece's whitespace handling: spaces become {@code ▁}, a {@code ▁} is prepended (to every
     * word, to the first one only, or never) unless one is there, and words may be cut before each {@code ▁}.
     */
    private static PreTokenizer metaspace(JsonNode node, JsonFields json) throws TokenizerFileException {
        String replacement = json.text(node, "replacement", "pre_tokenizer Metaspace");
        String scheme = JsonFields.optionalText(node, "prepend_scheme");
        if (scheme == null) {
            // Files written before prepend_scheme existed say add_prefix_space instead.
            scheme = JsonFields.flag(node, "add_prefix_space", true) ? "always" : "never";
        }
        if (!List.of("always", "first", "never").contains(scheme)) {
            throw json.problem("unknown Metaspace prepend_scheme \"" + scheme + "\" (expected always, first or never)");
        }
        String prependScheme = scheme;
        boolean split = JsonFields.flag(node, "split", true);
        Pattern marker = Pattern.compile(Pattern.quote(replacement));
        PreTokenizer cut = pieces(text -> SplitBehavior.MERGED_WITH_NEXT.split(text, marker, false));
        return word -> {
            String text = word.text().replace(" ", replacement);
            boolean prepend = prependScheme.equals("always") || (prependScheme.equals("first") && word.atStart());
            if (prepend && !text.startsWith(replacement)) {
                text = replacement + text;
            }
            Word replaced = new Word(text, word.atStart());
            return split ? cut.split(replaced) : List.of(replaced);
        };
    }
}
