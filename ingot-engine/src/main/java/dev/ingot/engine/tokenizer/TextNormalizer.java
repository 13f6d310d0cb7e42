package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code "normalizer"} of a {@code tokenizer.json}: rewrites each stretch of input text between
 * added tokens before it is split into words. Llama 2 and Mistral v0.1 use it for SentencePiece's
 * dummy prefix and spaces-as-{@code ▁}.
 */
@FunctionalInterface
interface TextNormalizer extends UnaryOperator<String> {

    TextNormalizer NONE = text -> text;

    static TextNormalizer fromJson(JsonNode node, JsonFields json) throws TokenizerFileException {
        if (node == null || node.isNull()) {
            return NONE;
        }
        String type = json.type(node, "normalizer");
        return switch (type) {
            case "Sequence" -> sequence(node, json);
            // An empty piece stays empty: the prefix marks the start of text, and there is none.
            case "Prepend" -> {
                String prefix = json.text(node, "prepend", "normalizer Prepend");
                yield text -> text.isEmpty() ? text : prefix + text;
            }
            case "Replace" -> replacement(node, json, "normalizer Replace");
            case "NFC" -> text -> Normalizer.normalize(text, Normalizer.Form.NFC);
            case "NFD" -> text -> Normalizer.normalize(text, Normalizer.Form.NFD);
            case "NFKC" -> text -> Normalizer.normalize(text, Normalizer.Form.NFKC);
            case "NFKD" -> text -> Normalizer.normalize(text, Normalizer.Form.NFKD);
            case "Lowercase" -> text -> text.toLowerCase(Locale.ROOT);
            case "Strip" -> strip(JsonFields.flag(node, "left", true), JsonFields.flag(node, "right", true));
            default -> throw json.problem("unsupported normalizer type \"" + type
                    + "\" (supported: Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip)");
        };
    }

    private static TextNormalizer sequence(JsonNode node, JsonFields json) throws TokenizerFileException {
        List<TextNormalizer> steps = new ArrayList<>();
        for (JsonNode step : node.path("normalizers")) {
            steps.add(fromJson(step, json));
        }
        return text -> {
            String out = text;
            for (TextNormalizer step : steps) {
                out = step.apply(out);
            }
            return out;
        };
    }

    private static TextNormalizer strip(boolean left, boolean right) {
        return text -> left && right ? text.strip() : left ? text.stripLeading() : right ? text.stripTrailing() : text;
    }

    /**
     * A {@code Replace} step (normalizer or decoder): {@code "pattern"} is {@code {"String": …}} or
     * {@code {"Regex": …}}, {@code "content"} the replacement, taken literally.
     */
    static TextNormalizer replacement(JsonNode node, JsonFields json, String where) throws TokenizerFileException {
        JsonNode patternNode = json.object(node, "pattern", where);
        String content = json.text(node, "content", where);
        if (patternNode.hasNonNull("String")) {
            String literal = patternNode.get("String").asText();
            return text -> text.replace(literal, content); // the common case (▁ ↔ space), without a regex per call
        }
        Pattern pattern = pattern(patternNode, json, where);
        String replacement = Matcher.quoteReplacement(content);
        return text -> pattern.matcher(text).replaceAll(replacement);
    }

    /** A {@code {"String": …}} or {@code {"Regex": …}} pattern as a Java regex. */
    static Pattern pattern(JsonNode pattern, JsonFields json, String where) throws TokenizerFileException {
        if (pattern.hasNonNull("String")) {
            return Pattern.compile(Pattern.quote(pattern.get("String").asText()));
        }
        if (pattern.hasNonNull("Regex")) {
            return HfRegex.compile(pattern.get("Regex").asText(), json, where);
        }
        throw json.problem("the pattern of " + where + " must be {\"String\": …} or {\"Regex\": …}");
    }
}
