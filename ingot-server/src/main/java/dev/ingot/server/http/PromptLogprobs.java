package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.List;

/**
 * vLLM's {@code prompt_logprobs}: one entry per prompt token, {@code null} for the first (it has no
 * context), else an object from token id to {@code {"logprob", "rank", "decoded_token"}} holding the
 * prompt's token followed by the requested number of likeliest alternatives.
 */
final class PromptLogprobs {

    private PromptLogprobs() {}

    static ArrayNode json(Tokenizer tokenizer, int[] prompt, List<SampledToken> scores) {
        ArrayNode out = Json.array();
        out.addNull();
        for (int i = 0; i < scores.size(); i++) {
            SampledToken score = scores.get(i);
            int previous = prompt[i];
            ObjectNode entry = out.addObject();
            put(entry, tokenizer, previous, score.token(), score.logprob(), score.rank());
            List<SampledToken.TokenLogprob> top = score.top();
            for (int r = 0; r < top.size(); r++) {
                SampledToken.TokenLogprob alt = top.get(r);
                if (!entry.has(Integer.toString(alt.token()))) {
                    put(entry, tokenizer, previous, alt.token(), alt.logprob(), r + 1);
                }
            }
        }
        return out;
    }

    private static void put(ObjectNode entry, Tokenizer tokenizer, int previous, int token, float logprob, int rank) {
        ObjectNode value = entry.putObject(Integer.toString(token));
        value.put("logprob", logprob);
        value.put("rank", rank);
        value.put("decoded_token", TokenText.text(tokenizer, previous, token));
    }
}
