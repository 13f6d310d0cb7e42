package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the files saved beside a {@code tokenizer.json} add: {@code tokenizer_config.json} names the BOS
 * and EOS tokens and carries the chat template, {@code chat_template.jinja} (newer exports) the
 * template alone, and the model's {@code config.json} the EOS id when nothing else does.
 *
 * @param bosToken     content of {@code bos_token}, when given
 * @param addBosToken  {@code add_bos_token}, when given: whether encoding a prompt prepends BOS
 * @param eosToken     content of {@code eos_token}, when given
 * @param addEosToken  {@code add_eos_token}, when given: whether encoding a prompt appends EOS
 * @param eosId        {@code eos_token_id} from {@code config.json} (the first, when it lists several)
 * @param chatTemplate the Jinja chat template
 */
record TokenizerSidecars(Optional<String> bosToken, Optional<Boolean> addBosToken, Optional<String> eosToken,
                         Optional<Boolean> addEosToken, Optional<Integer> eosId,
                         Optional<String> chatTemplate) {

    static final TokenizerSidecars NONE = new TokenizerSidecars(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty());

    static TokenizerSidecars read(Path folder, ObjectMapper mapper) throws IOException {
        if (folder == null) {
            return NONE;
        }
        JsonNode config = readJson(folder.resolve("tokenizer_config.json"), mapper);
        JsonNode modelConfig = readJson(folder.resolve("config.json"), mapper);
        Optional<String> template = Optional.empty();
        Path jinja = folder.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            template = Optional.of(Files.readString(jinja, StandardCharsets.UTF_8));
        } else if (config != null) {
            template = chatTemplate(config.get("chat_template"));
        }
        return new TokenizerSidecars(
                config == null ? Optional.empty() : tokenContent(config.get("bos_token")),
                config == null ? Optional.empty() : flag(config.get("add_bos_token")),
                config == null ? Optional.empty() : tokenContent(config.get("eos_token")),
                config == null ? Optional.empty() : flag(config.get("add_eos_token")),
                modelConfig == null ? Optional.empty() : firstId(modelConfig.get("eos_token_id")),
                template);
    }

    private static JsonNode readJson(Path file, ObjectMapper mapper) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode node = mapper.readTree(file.toFile());
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            throw new TokenizerFileException(file, "not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    /** A special token is written as its content, or as an AddedToken object {@code {"content": …}}. */
    private static Optional<String> tokenContent(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        return Optional.ofNullable(JsonFields.optionalText(node, "content"));
    }

    private static Optional<Boolean> flag(JsonNode node) {
        return node != null && node.isBoolean() ? Optional.of(node.asBoolean()) : Optional.empty();
    }

    private static Optional<Integer> firstId(JsonNode node) {
        if (node != null && node.isArray() && !node.isEmpty()) {
            node = node.get(0);
        }
        return node != null && node.isInt() ? Optional.of(node.asInt()) : Optional.empty();
    }

    /** A single template, or a list of named ones of which "default" (else the first) is the chat template. */
    private static Optional<String> chatTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        JsonNode chosen = null;
        for (JsonNode named : node) {
            if (chosen == null || "default".equals(JsonFields.optionalText(named, "name"))) {
                chosen = named;
            }
        }
        return chosen == null ? Optional.empty() : Optional.ofNullable(JsonFields.optionalText(chosen, "template"));
    }
}
