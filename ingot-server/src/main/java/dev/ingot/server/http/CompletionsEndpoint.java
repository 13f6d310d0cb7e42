package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.server.http.metrics.ServerMetrics;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/completions}: a prompt given as a string, a list of strings, a list of token ids or
 * a list of such lists — each prompt one scheduler request with {@code n} choices, all in the batch
 * at once. Parameters as OpenAI's legacy completions, plus {@code top_k} and {@code return_token_ids}.
 */
final class CompletionsEndpoint {

    /** OpenAI's default for the legacy endpoint. */
    static final int DEFAULT_MAX_TOKENS = 16;

    private final Limits limits;
    private final ServerMetrics metrics;

    CompletionsEndpoint(Limits limits, ServerMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    void handle(Context ctx, ServedModel model, Params params) throws InterruptedException {
        RequestFields.check(params.body(), RequestFields.Endpoint.COMPLETIONS);
        GenerationOptions options = GenerationOptions.parse(params, limits, model.context());
        checkN(options.n(), model);
        List<int[]> prompts = prompts(params, model);
        boolean echo = params.bool("echo").orElse(false);
        int topLogprobs = params.integer("logprobs", 0, limits.maxTopLogprobs()).orElse(-1);
        int maxTokens = options.maxTokens().orElse(DEFAULT_MAX_TOKENS);
        List<GenerationRequest> requests = new ArrayList<>();
        // echo with logprobs scores the prompt too; a stream sends the scores in the choice's opening chunk.
        boolean scorePrompt = echo && topLogprobs >= 0;
        for (int[] prompt : prompts) {
            requests.add(new GenerationRequest(prompt, options.sampling(), options.n(), maxTokens, Math.max(0, topLogprobs),
                    options.stop(), scorePrompt));
        }
        CompletionFormat format = new CompletionFormat(model.loaded().tokenizer(), prompts, options.n(), echo, topLogprobs >= 0,
                options.returnTokenIds());
        new GenerationRoute(model, metrics).serve(ctx, requests, options.stream(), options.includeUsage(), format);
    }

    static void checkN(int n, ServedModel model) {
        int batch = model.scheduler().config().maxBatch();
        if (n > batch) {
            throw ApiException.badRequest("n", "'n' is " + n + " but this server runs at most " + batch + " sequences at once");
        }
    }

    private List<int[]> prompts(Params params, ServedModel model) {
        JsonNode prompt = params.get("prompt")
                .orElseThrow(() -> ApiException.badRequest("prompt", "'prompt' is required"));
        List<int[]> out = new ArrayList<>();
        if (prompt.isTextual()) {
            out.add(model.encodePrompt(prompt.asText()));
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            if (prompt.get(0).isIntegralNumber()) {
                out.add(tokenIds(prompt, "prompt"));
            } else {
                for (int i = 0; i < prompt.size(); i++) {
                    JsonNode item = prompt.get(i);
                    if (item.isTextual()) {
                        out.add(model.encodePrompt(item.asText()));
                    } else if (item.isArray() && !item.isEmpty()) {
                        out.add(tokenIds(item, "prompt[" + i + "]"));
                    } else {
                        throw notAPrompt();
                    }
                }
            }
        } else {
            throw notAPrompt();
        }
        if (out.size() > limits.maxPrompts()) {
            throw ApiException.badRequest("prompt", "'prompt' has " + out.size() + " prompts; at most " + limits.maxPrompts()
                    + " are allowed per request");
        }
        return out;
    }

    private static int[] tokenIds(JsonNode list, String where) {
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = list.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt()) {
                throw ApiException.badRequest("prompt", where + " mixes token ids with " + id);
            }
            ids[i] = id.asInt();
        }
        return ids;
    }

    private static ApiException notAPrompt() {
        return ApiException.badRequest("prompt",
                "'prompt' must be a string, a list of strings, a list of token ids or a list of token-id lists, and not empty");
    }
}
