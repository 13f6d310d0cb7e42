package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.sample.SamplingParams;
import dev.ingot.engine.schedule.GenerationRequest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The parameters {@code /v1/completions} and {@code /v1/chat/completions} share.
 *
 * @param maxTokens      empty: the endpoint's default
 * @param sampling       temperature, top-p, top-k, min-p, penalties, logit bias and seed (a random seed when the client gave none)
 * @param n              completions per prompt returned
 * @param bestOf         completions per prompt generated, of which the {@code n} likeliest are returned ({@code >= n})
 * @param stop           stop strings
 * @param ending         stop token ids, ignore_eos, min_tokens, include_stop_str_in_output, skip_special_tokens,
 *                       response_format
 * @param promptLogprobs vLLM's {@code prompt_logprobs}: alternatives per prompt token, empty when not asked for
 * @param stream         answer with server-sent events
 * @param includeUsage   streaming: send a last chunk with the usage
 * @param returnTokenIds add prompt and completion token ids to each choice (for RL rollouts)
 */
record GenerationOptions(Optional<Integer> maxTokens, SamplingParams sampling, int n, int bestOf, List<String> stop,
        GenerationRequest.Ending ending, Optional<Integer> promptLogprobs, boolean stream, boolean includeUsage,
        boolean returnTokenIds) {

    /** OpenAI's bounds for the presence and frequency penalties. */
    private static final double MAX_PENALTY = 2;
    /** OpenAI's bounds for a logit bias. */
    private static final double MAX_BIAS = 100;

    /**
     * @param maxTokensField {@code max_tokens}, or chat's {@code max_completion_tokens} when that is given
     * @param minMaxTokens   0 where a request may only score its prompt, else 1
     */
    static GenerationOptions parse(Params p, Limits limits, int context, int vocab, String maxTokensField, int minMaxTokens) {
        Optional<Integer> maxTokens = p.integer(maxTokensField, minMaxTokens, context);
        double temperature = p.number("temperature", 0, 100).orElse(1.0);
        double topP = p.number("top_p", Double.MIN_VALUE, 1).orElse(1.0);
        // vLLM spells "off" as -1; OpenAI has no top_k. Both mean: keep every token.
        int topK = p.integer("top_k", -1, Integer.MAX_VALUE).map(k -> Math.max(k, 0)).orElse(0);
        double minP = p.number("min_p", 0, 1).orElse(0.0);
        double presence = p.number("presence_penalty", -MAX_PENALTY, MAX_PENALTY).orElse(0.0);
        double frequency = p.number("frequency_penalty", -MAX_PENALTY, MAX_PENALTY).orElse(0.0);
        double repetition = p.number("repetition_penalty", Double.MIN_VALUE, 100).orElse(1.0);
        Map<Integer, Float> bias = logitBias(p, vocab);
        long seed = p.longInteger("seed").orElseGet(() -> ThreadLocalRandom.current().nextLong());
        int n = p.integer("n", 1, limits.maxN()).orElse(1);
        int bestOf = p.integer("best_of", 1, limits.maxN()).orElse(n);
        if (bestOf < n) {
            throw ApiException.badRequest("best_of", "'best_of' is " + bestOf + " but must be at least 'n' (" + n + ")");
        }
        List<String> stop = p.strings("stop", limits.maxStop());
        Set<Integer> stopTokenIds = tokenIds(p, "stop_token_ids", vocab);
        int minTokens = p.integer("min_tokens", 0, context).orElse(0);
        if (maxTokens.isPresent() && minTokens > maxTokens.get()) {
            throw ApiException.badRequest("min_tokens", "'min_tokens' is " + minTokens + " but 'max_tokens' is only " + maxTokens.get());
        }
        GenerationRequest.Ending ending = new GenerationRequest.Ending(stopTokenIds, p.bool("ignore_eos").orElse(false), minTokens,
                p.bool("include_stop_str_in_output").orElse(false), p.bool("skip_special_tokens").orElse(true),
                ResponseFormatField.parse(p.get("response_format")));
        Optional<Integer> promptLogprobs = p.integer("prompt_logprobs", 0, limits.maxTopLogprobs());
        boolean stream = p.bool("stream").orElse(false);
        if (stream && bestOf > n) {
            throw ApiException.badRequest("best_of", "'best_of' larger than 'n' needs every choice finished before it answers, "
                    + "so it cannot stream");
        }
        if (stream && promptLogprobs.isPresent()) {
            throw ApiException.badRequest("prompt_logprobs", "'prompt_logprobs' is not available when streaming");
        }
        boolean includeUsage = p.get("stream_options")
                .map(o -> new Params(objectOrFail(o)).bool("include_usage").orElse(false)).orElse(false);
        boolean returnTokenIds = p.bool("return_token_ids").orElse(false);
        SamplingParams sampling = new SamplingParams(temperature, topP, topK, seed, minP, presence, frequency, repetition, bias);
        return new GenerationOptions(maxTokens, sampling, n, bestOf, stop, ending, promptLogprobs, stream, includeUsage,
                returnTokenIds);
    }

    /** OpenAI's {@code logit_bias}: an object from token id (as a string) to a bias in [-100, 100]. */
    private static Map<Integer, Float> logitBias(Params p, int vocab) {
        Optional<JsonNode> node = p.get("logit_bias");
        if (node.isEmpty()) {
            return Map.of();
        }
        if (!node.get().isObject()) {
            throw ApiException.badRequest("logit_bias", "'logit_bias' must be an object from token id to bias, got " + node.get());
        }
        Map<Integer, Float> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.get().fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            int id;
            try {
                id = Integer.parseInt(entry.getKey());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' keys must be token ids, got \"" + entry.getKey() + "\"");
            }
            if (id < 0 || id >= vocab) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' names token " + id + ", outside the vocabulary (0.."
                        + (vocab - 1) + ")");
            }
            JsonNode value = entry.getValue();
            if (!value.isNumber() || !(Math.abs(value.asDouble()) <= MAX_BIAS)) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' values must be numbers between -100 and 100, got "
                        + value + " for token " + id);
            }
            out.put(id, value.floatValue());
        }
        return out;
    }

    /** A list of token ids inside the vocabulary. */
    private static Set<Integer> tokenIds(Params p, String name, int vocab) {
        Optional<JsonNode> node = p.get(name);
        if (node.isEmpty()) {
            return Set.of();
        }
        if (!node.get().isArray()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a list of token ids, got " + node.get());
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (JsonNode id : node.get()) {
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= vocab) {
                throw ApiException.badRequest(name, "'" + name + "' must hold token ids between 0 and " + (vocab - 1) + ", got " + id);
            }
            out.add(id.asInt());
        }
        return out;
    }

    /**
     * The most tokens a completion of {@code promptLength} can have: the last token is never fed back, so
     * a prompt of P tokens leaves room for {@code context - P + 1}. Asking for more is a 400, as in vLLM,
     * rather than a completion silently cut short.
     */
    static void checkFits(int maxTokens, int promptLength, int context, String field) {
        if (promptLength < context && maxTokens > context - promptLength + 1) {
            throw ApiException.badRequest(field, "'" + field + "' is " + maxTokens + " but the prompt has " + promptLength
                    + " tokens and the model's context is " + context + ", so at most " + (context - promptLength + 1)
                    + " can follow it");
        }
    }

    private static ObjectNode objectOrFail(JsonNode node) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw ApiException.badRequest("stream_options", "'stream_options' must be an object, got " + node);
    }
}
