package dev.ingot.server.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.server.http.metrics.ServerMetrics;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /v1/chat/completions}: messages through the model's chat template (see
 * {@link ChatTemplate}), then one scheduler request with {@code n} choices. Without
 * {@code max_tokens} a reply may use the rest of the context.
 */
final class ChatCompletionsEndpoint {

    private final Limits limits;
    private final ServerMetrics metrics;

    ChatCompletionsEndpoint(Limits limits, ServerMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    void handle(Context ctx, ServedModel model, Params params) throws InterruptedException {
        RequestFields.check(params.body(), RequestFields.Endpoint.CHAT);
        // OpenAI renamed max_tokens to max_completion_tokens; both are taken, not both at once.
        boolean newName = params.get("max_completion_tokens").isPresent();
        if (newName && params.get("max_tokens").isPresent()) {
            throw ApiException.badRequest("max_completion_tokens", "give 'max_completion_tokens' or 'max_tokens', not both");
        }
        String maxTokensField = newName ? "max_completion_tokens" : "max_tokens";
        GenerationOptions options = GenerationOptions.parse(params, limits, model.context(), model.loaded().spec().vocabSize(),
                maxTokensField, 1);
        CompletionsEndpoint.checkN(options, model);
        boolean logprobs = params.bool("logprobs").orElse(false);
        int topLogprobs = params.integer("top_logprobs", 0, limits.maxTopLogprobs()).orElse(0);
        if (topLogprobs > 0 && !logprobs) {
            throw ApiException.badRequest("top_logprobs", "'top_logprobs' needs 'logprobs' to be true");
        }
        int[] prompt = prompt(params, model);
        int maxTokens = options.maxTokens().orElse(Math.max(1, model.context() - prompt.length + 1));
        GenerationOptions.checkFits(maxTokens, prompt.length, model.context(), maxTokensField);
        boolean scorePrompt = options.promptLogprobs().isPresent();
        GenerationRequest request = new GenerationRequest(prompt, options.sampling(), options.bestOf(), maxTokens, topLogprobs,
                options.stop(), scorePrompt, options.promptLogprobs().orElse(0), options.ending());
        ChatFormat format = new ChatFormat(model.loaded().tokenizer(), prompt, options.n(), logprobs, options.returnTokenIds(),
                scorePrompt);
        new GenerationRoute(model, metrics).serve(ctx, List.of(request), options.n(), options.stream(), options.includeUsage(),
                format);
    }

    /**
     * The chat's prompt ids: the messages through the model's template or the request's {@code chat_template},
     * with {@code add_generation_prompt}, {@code continue_final_message} and {@code chat_template_kwargs}.
     */
    static int[] prompt(Params params, ServedModel model) {
        List<ChatTemplate.Message> messages = messages(params);
        boolean continueFinal = params.bool("continue_final_message").orElse(false);
        boolean addGenerationPrompt = params.bool("add_generation_prompt").orElse(!continueFinal);
        if (continueFinal && addGenerationPrompt) {
            throw ApiException.badRequest("continue_final_message",
                    "'continue_final_message' and 'add_generation_prompt' cannot both be true");
        }
        ChatTemplate template = params.string("chat_template").map(model.chatTemplate()::withTemplate).orElse(model.chatTemplate());
        return ServedModel.clientText("messages",
                () -> template.encode(messages, addGenerationPrompt, continueFinal, templateVariables(params), model.loaded().tokenizer()));
    }

    /**
     * The roles chat templates know: OpenAI's, plus {@code ipython} (Llama 3's tool results). Anything
     * else would reach the template as text it was never written for, so it is refused by name.
     */
    static final List<String> ROLES = List.of("system", "developer", "user", "assistant", "tool", "function", "ipython");

    /** A role as sent, cut short for the message: a client's typo is worth echoing, a megabyte is not. */
    private static String shown(String role) {
        return role.length() <= 40 ? role : role.substring(0, 40) + "…";
    }

    private static List<ChatTemplate.Message> messages(Params params) {
        JsonNode list = params.get("messages").orElseThrow(() -> ApiException.badRequest("messages", "'messages' is required"));
        if (!list.isArray() || list.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' must be a non-empty list of messages");
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode m = list.get(i);
            JsonNode role = m.get("role");
            if (!m.isObject() || role == null || !role.isTextual()) {
                throw ApiException.badRequest("messages", "messages[" + i + "] must be an object with a string 'role'");
            }
            if (!ROLES.contains(role.asText())) {
                throw ApiException.badRequest("messages", "messages[" + i + "].role '" + shown(role.asText())
                        + "' is not a chat role; roles: " + String.join(", ", ROLES));
            }
            out.add(new ChatTemplate.Message(role.asText(), content(m.get("content"), i)));
        }
        return out;
    }

    /** {@code chat_template_kwargs} (as vLLM takes it): extra variables for the template, e.g. {@code enable_thinking}. */
    private static Map<String, Object> templateVariables(Params params) {
        Optional<JsonNode> kwargs = params.get("chat_template_kwargs");
        if (kwargs.isEmpty()) {
            return Map.of();
        }
        if (!kwargs.get().isObject()) {
            throw ApiException.badRequest("chat_template_kwargs", "'chat_template_kwargs' must be an object");
        }
        return Json.MAPPER.convertValue(kwargs.get(), new TypeReference<Map<String, Object>>() {});
    }

    /** A string, null, or a list of parts of which the text parts are joined. */
    private static String content(JsonNode content, int index) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.badRequest("messages", "messages[" + index + "].content: only text parts are supported, got " + part);
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiException.badRequest("messages", "messages[" + index + "].content must be a string or a list of text parts");
    }
}
