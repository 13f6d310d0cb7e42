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
        boolean echo = params.bool("echo").orElse(false);
        // echo with max_tokens 0 scores the prompt and generates nothing (lm-eval's log-likelihood).
        GenerationOptions options = GenerationOptions.parse(params, limits, model.context(), model.loaded().spec().vocabSize(),
                "max_tokens", echo ? 0 : 1);
        checkN(options, model);
        List<int[]> prompts = prompts(params, model);
        int topLogprobs = params.integer("logprobs", 0, limits.maxTopLogprobs()).orElse(-1);
        int maxTokens = options.maxTokens().orElse(DEFAULT_MAX_TOKENS);
        for (int[] prompt : prompts) {
            GenerationOptions.checkFits(maxTokens, prompt.length, model.context(), "max_tokens");
        }
        // echo with logprobs scores the prompt too; a stream sends the scores in the choice's opening chunk.
        boolean echoScores = echo && topLogprobs >= 0;
        boolean scorePrompt = echoScores || options.promptLogprobs().isPresent();
        if (maxTokens == 0 && !scorePrompt) {
            throw ApiException.badRequest("max_tokens", "'max_tokens' 0 asks for the prompt's log-probabilities alone: "
                    + "it needs 'echo' with 'logprobs', or 'prompt_logprobs'");
        }
        int promptTop = options.promptLogprobs().orElse(Math.max(0, topLogprobs));
        List<GenerationRequest> requests = new ArrayList<>();
        for (int[] prompt : prompts) {
            requests.add(new GenerationRequest(prompt, options.sampling(), options.bestOf(), maxTokens, Math.max(0, topLogprobs),
                    options.stop(), scorePrompt, promptTop, options.ending()));
        }
        CompletionFormat format = new CompletionFormat(model.loaded().tokenizer(), prompts, options.n(), echo, topLogprobs >= 0,
                options.returnTokenIds(), options.promptLogprobs().isPresent());
        new GenerationRoute(model, metrics).serve(ctx, requests, options.n(), options.stream(), options.includeUsage(), format);
    }

    static void checkN(GenerationOptions options, ServedModel model) {
        int batch = model.scheduler().config().maxBatch();
        String field = options.bestOf() > options.n() ? "best_of" : "n";
        if (options.bestOf() > batch) {
            throw ApiException.badRequest(field, "'" + field + "' is " + options.bestOf() + " but this server runs at most " + batch
                    + " sequences at once");
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
