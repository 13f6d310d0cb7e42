package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.SequenceResult;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.List;
import java.util.Optional;

/**
 * {@code /v1/completions} choices: {@code text}, OpenAI's legacy log-probability object
 * ({@code tokens}, {@code token_logprobs}, {@code top_logprobs}, {@code text_offset}) when
 * {@code logprobs} was asked for, and the prompt and completion token ids when {@code return_token_ids} was.
 */
final class CompletionFormat implements ResponseFormat {

    private final Tokenizer tokenizer;
    private final boolean echo;
    private final boolean logprobs;
    private final boolean tokenIds;
    private final int[] previous;
    private final int[] offsets;

    CompletionFormat(Tokenizer tokenizer, List<int[]> prompts, int n, boolean echo, boolean logprobs, boolean tokenIds) {
        this.tokenizer = tokenizer;
        this.echo = echo;
        this.logprobs = logprobs;
        this.tokenIds = tokenIds;
        this.previous = new int[prompts.size() * n];
        this.offsets = new int[prompts.size() * n];
        for (int i = 0; i < previous.length; i++) {
            int[] prompt = prompts.get(i / n);
            previous[i] = prompt[prompt.length - 1];
            offsets[i] = echo ? promptText(prompt).length() : 0;
        }
    }

    @Override
    public String object() {
        return "text_completion";
    }

    @Override
    public String chunkObject() {
        return "text_completion";
    }

    @Override
    public String idPrefix() {
        return "cmpl-";
    }

    private String promptText(int[] prompt) {
        return tokenizer.decode(-1, prompt);
    }

    @Override
    public ObjectNode choice(int index, int[] prompt, SequenceResult result) {
        ObjectNode choice = Json.object();
        choice.put("index", index);
        String promptText = echo ? promptText(prompt) : "";
        choice.put("text", promptText + result.text());
        if (logprobs) {
            choice.set("logprobs", legacyLogprobs(prompt[prompt.length - 1], result.tokens(), promptText.length()));
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", result.finishReason().apiName());
        WeightVersions.put(choice, result.weightVersions());
        if (tokenIds) {
            putIds(choice.putArray("prompt_token_ids"), prompt);
            putIds(choice.putArray("token_ids"), result.tokenIds());
        }
        return choice;
    }

    @Override
    public Optional<ObjectNode> openingChoice(int index, int[] prompt) {
        if (!echo && !tokenIds) {
            return Optional.empty();
        }
        ObjectNode choice = Json.object();
        choice.put("index", index);
        choice.put("text", echo ? promptText(prompt) : "");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        if (tokenIds) {
            putIds(choice.putArray("prompt_token_ids"), prompt);
        }
        return Optional.of(choice);
    }

    @Override
    public ObjectNode tokenChoice(int index, GenerationEvent.Token token) {
        ObjectNode choice = Json.object();
        choice.put("index", index);
        choice.put("text", token.text());
        if (logprobs) {
            choice.set("logprobs", legacyLogprobs(previous[index], List.of(token.token()), offsets[index]));
            offsets[index] += TokenText.text(tokenizer, previous[index], token.token().token()).length();
        } else {
            choice.putNull("logprobs");
        }
        previous[index] = token.token().token();
        choice.putNull("finish_reason");
        choice.put("weight_version", token.weightVersion());
        if (tokenIds) {
            choice.putArray("token_ids").add(token.token().token());
        }
        return choice;
    }

    @Override
    public ObjectNode closingChoice(int index, GenerationEvent.Finished finished) {
        ObjectNode choice = Json.object();
        choice.put("index", index);
        choice.put("text", finished.pendingText());
        choice.putNull("logprobs");
        choice.put("finish_reason", finished.result().finishReason().apiName());
        WeightVersions.put(choice, finished.result().weightVersions());
        return choice;
    }

    /** OpenAI's legacy shape: parallel lists, top alternatives as {token text: log-probability} maps. */
    private ObjectNode legacyLogprobs(int previousToken, List<SampledToken> tokens, int startOffset) {
        ObjectNode out = Json.object();
        ArrayNode texts = out.putArray("tokens");
        ArrayNode values = out.putArray("token_logprobs");
        ArrayNode tops = out.putArray("top_logprobs");
        ArrayNode textOffsets = out.putArray("text_offset");
        int prev = previousToken;
        int offset = startOffset;
        for (SampledToken t : tokens) {
            String text = TokenText.text(tokenizer, prev, t.token());
            texts.add(text);
            values.add(t.logprob());
            ObjectNode top = tops.addObject();
            for (SampledToken.TokenLogprob alt : t.top()) {
                // Two ids may read the same (byte fallback); the map keeps the likelier, which comes first.
                String key = TokenText.text(tokenizer, prev, alt.token());
                if (!top.has(key)) {
                    top.put(key, alt.logprob());
                }
            }
            textOffsets.add(offset);
            offset += text.length();
            prev = t.token();
        }
        return out;
    }

    private static void putIds(ArrayNode array, int[] ids) {
        for (int id : ids) {
            array.add(id);
        }
    }
}
