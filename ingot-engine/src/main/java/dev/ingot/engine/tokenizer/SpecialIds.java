package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * BOS and EOS as the {@code "post_processor"} adds them: in a TemplateProcessing {@code single} template
 * such as {@code <s> $A}, a special token before the sequence is BOS, one after it EOS (-1: none).
 */
record SpecialIds(int bos, int eos) {

    static final SpecialIds NONE = new SpecialIds(-1, -1);

    static SpecialIds fromPostProcessor(JsonNode node, JsonFields json) throws TokenizerFileException {
        if (node == null || node.isNull()) {
            return NONE;
        }
        return switch (JsonFields.optionalText(node, "type")) {
            case "TemplateProcessing" -> fromTemplate(node, json);
            case "Sequence" -> {
                SpecialIds found = NONE;
                for (JsonNode processor : node.path("processors")) {
                    SpecialIds ids = fromPostProcessor(processor, json);
                    found = new SpecialIds(found.bos() >= 0 ? found.bos() : ids.bos(), found.eos() >= 0 ? found.eos() : ids.eos());
                }
                yield found;
            }
            case null, default -> NONE; // ByteLevel and the BERT-style processors add no BOS/EOS of Llama's kind
        };
    }

    private static SpecialIds fromTemplate(JsonNode node, JsonFields json) throws TokenizerFileException {
        int bos = -1;
        int eos = -1;
        boolean afterSequence = false;
        for (JsonNode item : node.path("single")) {
            if (item.has("Sequence")) {
                afterSequence = true;
            } else if (item.has("SpecialToken")) {
                int id = specialTokenId(node, item.get("SpecialToken"), json);
                if (!afterSequence && bos < 0) {
                    bos = id;
                } else if (afterSequence && eos < 0) {
                    eos = id;
                }
            }
        }
        return new SpecialIds(bos, eos);
    }

    private static int specialTokenId(JsonNode template, JsonNode item, JsonFields json) throws TokenizerFileException {
        String name = json.text(item, "id", "post_processor template");
        JsonNode ids = template.path("special_tokens").path(name).path("ids");
        if (!ids.isArray() || ids.isEmpty() || !ids.get(0).canConvertToInt()) {
            throw json.problem("post_processor template uses special token \"" + name + "\" but special_tokens gives it no ids");
        }
        return ids.get(0).asInt();
    }
}
