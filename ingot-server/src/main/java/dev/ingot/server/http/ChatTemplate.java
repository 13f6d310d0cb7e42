package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns chat messages into prompt tokens with a Jinja chat template — the server's
 * {@code --chat-template FILE} when given, else the model's {@code chat_template.jinja} (newer Hugging
 * Face exports), else the {@code chat_template} of its {@code tokenizer_config.json} — rendered as
 * Hugging Face does, with Python's Jinja2 semantics ({@link PythonicJinja}; {@code messages},
 * {@code bos_token}, {@code eos_token}, {@code add_generation_prompt}, {@code raise_exception}, plus the
 * caller's extra variables such as {@code enable_thinking}).
 *
 * <p>A model with none of these gets no made-up format: its chat requests are refused with a 400
 * that says how to give one (as transformers and vLLM have done since templates stopped defaulting).
 *
 * <p>The rendered text is encoded as it stands, as Hugging Face does after rendering: a template
 * writes BOS itself when the model wants one (a leading BOS text becomes the BOS id).
 */
final class ChatTemplate {

    static final String NO_TEMPLATE = "The model has no chat template (no chat_template.jinja and no chat_template in "
            + "tokenizer_config.json): start ingot serve with --chat-template FILE, or send 'chat_template' in the request";

    private static final Jinjava JINJA = jinja();

    /** Empty when neither the server nor the model has a template. */
    private final Optional<String> template;
    private final String bosText;
    private final String eosText;

    private ChatTemplate(Optional<String> template, String bosText, String eosText) {
        this.template = template;
        this.bosText = bosText;
        this.eosText = eosText;
    }

    /** One chat message; {@code content} already flattened to text. */
    record Message(String role, String content) {}

    /** The model's own template in (or beside) {@code location}; see {@link #forModel(Path, Tokenizer, Optional)}. */
    static ChatTemplate forModel(Path location, Tokenizer tokenizer) throws IOException {
        return forModel(location, tokenizer, Optional.empty());
    }

    /**
     * {@code serverTemplate} (the {@code --chat-template} file) when given, else {@code chat_template.jinja}
     * in (or beside) {@code location}, else the one in {@code tokenizer_config.json} (transformers prefers
     * the .jinja file too), else none.
     */
    static ChatTemplate forModel(Path location, Tokenizer tokenizer, Optional<Path> serverTemplate) throws IOException {
        Path folder = Files.isDirectory(location) ? location : location.toAbsolutePath().getParent();
        String bos = tokenizer.bosId() >= 0 ? tokenizer.piece(tokenizer.bosId()) : "";
        String eos = tokenizer.eosId() >= 0 ? tokenizer.piece(tokenizer.eosId()) : "";
        Path config = folder.resolve("tokenizer_config.json");
        JsonNode root = Files.isRegularFile(config) ? Json.MAPPER.readTree(config.toFile()) : Json.MAPPER.createObjectNode();
        Path jinjaFile = folder.resolve("chat_template.jinja");
        Optional<String> template;
        if (serverTemplate.isPresent()) {
            template = Optional.of(readTemplate(serverTemplate.get()));
        } else if (Files.isRegularFile(jinjaFile)) {
            template = Optional.of(Files.readString(jinjaFile, StandardCharsets.UTF_8));
        } else {
            template = chatTemplate(root.get("chat_template"));
        }
        return new ChatTemplate(template, specialToken(root.get("bos_token")).orElse(bos),
                specialToken(root.get("eos_token")).orElse(eos));
    }

    private static String readTemplate(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException("--chat-template " + file + ": cannot read it (" + e + ")", e);
        }
    }

    /** A request's own template ({@code chat_template}), with this model's BOS and EOS texts. */
    ChatTemplate withTemplate(String requestTemplate) {
        return new ChatTemplate(Optional.of(requestTemplate), bosText, eosText);
    }

    /** Whether chats can be rendered without a request's own template. */
    boolean isPresent() {
        return template.isPresent();
    }

    /** The rendered prompt text, generation prompt included. */
    String render(List<Message> messages) {
        return render(messages, true, Map.of());
    }

    /**
     * The rendered prompt text. {@code variables} are extra template variables, as Hugging Face's
     * {@code apply_chat_template(..., **kwargs)} passes them (e.g. Qwen3's {@code enable_thinking}); they
     * may override {@code bos_token} / {@code eos_token} but not the messages or the generation prompt.
     */
    String render(List<Message> messages, boolean addGenerationPrompt, Map<String, ?> variables) {
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("bos_token", bosText);
        bindings.put("eos_token", eosText);
        bindings.putAll(variables);
        bindings.put("messages", messages.stream().map(m -> Map.of("role", m.role(), "content", m.content())).toList());
        bindings.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = JINJA.renderForResult(
                template.orElseThrow(() -> ApiException.badRequest("chat_template", NO_TEMPLATE)), bindings);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw ApiException.badRequest("messages", "The chat template refused the messages: " + reason(error));
            }
        }
        return result.getOutput();
    }

    /** Prompt ids for the messages, with the generation prompt and extra template variables (see {@link #render(List, boolean, Map)}). */
    int[] encode(List<Message> messages, Map<String, ?> variables, Tokenizer tokenizer) {
        return encode(messages, true, false, variables, tokenizer);
    }

    /**
     * As {@link #encode(List, Map, Tokenizer)}, with Hugging Face's {@code add_generation_prompt}
     * and {@code continue_final_message}: the latter renders without a generation prompt and cuts the
     * text right after the last message's content, so the model carries on writing that message.
     */
    int[] encode(List<Message> messages, boolean addGenerationPrompt, boolean continueFinalMessage, Map<String, ?> variables,
            Tokenizer tokenizer) {
        String text = render(messages, addGenerationPrompt, variables);
        if (continueFinalMessage) {
            text = upToFinalMessage(text, messages.getLast().content());
        }
        return encodeRendered(text, tokenizer);
    }

    /** The rendered text up to the end of the final message's content (as it stands, else stripped). */
    static String upToFinalMessage(String text, String content) {
        int at = content.isEmpty() ? -1 : text.lastIndexOf(content);
        String found = content;
        if (at < 0 && !content.strip().isEmpty()) {
            found = content.strip();
            at = text.lastIndexOf(found);
        }
        if (at < 0) {
            throw ApiException.badRequest("continue_final_message",
                    "'continue_final_message': the final message's content does not appear in the rendered chat");
        }
        return text.substring(0, at + found.length());
    }

    private int[] encodeRendered(String text, Tokenizer tokenizer) {
        if (!bosText.isEmpty() && tokenizer.bosId() >= 0 && text.startsWith(bosText)) {
            int[] body = tokenizer.encode(text.substring(bosText.length()));
            int[] out = new int[body.length + 1];
            out[0] = tokenizer.bosId();
            System.arraycopy(body, 0, out, 1, body.length);
            return out;
        }
        return tokenizer.encode(text);
    }

    /** A string, or a list of named templates of which we take "default" (or the first). */
    private static Optional<String> chatTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText())) {
                    return Optional.of(named.path("template").asText());
                }
            }
            return node.isEmpty() ? Optional.empty() : Optional.of(node.get(0).path("template").asText());
        }
        return Optional.empty();
    }

    /** Hugging Face writes special tokens as a string or as {"content": ...}. */
    private static Optional<String> specialToken(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        return Optional.of(node.isTextual() ? node.asText() : node.path("content").asText());
    }

    private static Jinjava jinja() {
        Jinjava jinjava = PythonicJinja.create();
        jinjava.getGlobalContext().registerFunction(
                new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        return jinjava;
    }

    /** Templates call {@code raise_exception(msg)} to refuse a conversation (e.g. roles that do not alternate). */
    public static String raiseException(String message) {
        throw new Refusal(message);
    }

    /** What a template said when it raised; jinjava wraps it, so we look for it along the causes. */
    private static String reason(TemplateError error) {
        for (Throwable t = error.getException(); t != null; t = t.getCause()) {
            if (t instanceof Refusal refusal) {
                return refusal.getMessage();
            }
        }
        return error.getMessage();
    }

    private static final class Refusal extends RuntimeException {
        Refusal(String message) {
            super(message);
        }
    }
}
