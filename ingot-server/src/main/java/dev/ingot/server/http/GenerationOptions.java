package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.sample.SamplingParams;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The parameters {@code /v1/completions} and {@code /v1/chat/completions} share.
 *
 * @param maxTokens      empty: the endpoint's default
 * @param sampling       temperature, top-p, top-k and seed (a random seed when the client gave none)
 * @param n              completions per prompt
 * @param stop           stop strings
 * @param stream         answer with server-sent events
 * @param includeUsage   streaming: send a last chunk with the usage
 * @param returnTokenIds add prompt and completion token ids to each choice (for RL rollouts)
 */
record GenerationOptions(Optional<Integer> maxTokens, SamplingParams sampling, int n, List<String> stop, boolean stream,
        boolean includeUsage, boolean returnTokenIds) {

    static GenerationOptions parse(Params p, Limits limits, int context) {
        Optional<Integer> maxTokens = p.integer("max_tokens", 1, context);
        if (maxTokens.isEmpty()) {
            maxTokens = p.integer("max_completion_tokens", 1, context);
        }
        double temperature = p.number("temperature", 0, 100).orElse(1.0);
        double topP = p.number("top_p", Double.MIN_VALUE, 1).orElse(1.0);
        // vLLM spells "off" as -1; OpenAI has no top_k. Both mean: keep every token.
        int topK = p.integer("top_k", -1, Integer.MAX_VALUE).map(k -> Math.max(k, 0)).orElse(0);
        long seed = p.longInteger("seed").orElseGet(() -> ThreadLocalRandom.current().nextLong());
        int n = p.integer("n", 1, limits.maxN()).orElse(1);
        List<String> stop = p.strings("stop", limits.maxStop());
        boolean stream = p.bool("stream").orElse(false);
        boolean includeUsage = p.get("stream_options")
                .map(o -> new Params(objectOrFail(o)).bool("include_usage").orElse(false)).orElse(false);
        boolean returnTokenIds = p.bool("return_token_ids").orElse(false);
        return new GenerationOptions(maxTokens, new SamplingParams(temperature, topP, topK, seed), n, stop, stream,
                includeUsage, returnTokenIds);
    }

    private static ObjectNode objectOrFail(JsonNode node) {
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw ApiException.badRequest("stream_options", "'stream_options' must be an object, got " + node);
    }
}
