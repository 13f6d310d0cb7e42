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
    private final boolean promptLogprobs;
    private final int[] previous;
    private final int[] offsets;

    CompletionFormat(Tokenizer tokenizer, List<int[]> prompts, int n, boolean echo, boolean logprobs, boolean tokenIds) {
        this(tokenizer, prompts, n, echo, logprobs, tokenIds, false);
    }

    /** @param promptLogprobs add vLLM's {@code prompt_logprobs} list to each choice */
    CompletionFormat(Tokenizer tokenizer, List<int[]> prompts, int n, boolean echo, boolean logprobs, boolean tokenIds,
            boolean promptLogprobs) {
        this.promptLogprobs = promptLogprobs;
        this.tokenizer = tokenizer;
        this.echo = echo;
        this.logprobs = logprobs;
        this.tokenIds = tokenIds;
        this.previous = new int[prompts.size() * n];
        this.offsets = new int[prompts.size() * n];
        for (int i = 0; i < previous.length; i++) {
            int[] prompt = prompts.get(i / n);
            previous[i] = prompt[prompt.length - 1];
            offsets[i] = echo ? codePoints(promptText(prompt)) : 0;
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
        ObjectNode choice = ChoiceFields.choice(index);
        String promptText = echo ? promptText(prompt) : "";
        choice.put("text", promptText + result.text());
        if (logprobs) {
            choice.set("logprobs", echo ? echoedLogprobs(prompt, result) : legacyLogprobs(prompt[prompt.length - 1], result.tokens(), 0));
        } else {
            choice.putNull("logprobs");
        }
        if (promptLogprobs) {
            choice.set("prompt_logprobs", PromptLogprobs.json(tokenizer, prompt, result.promptScores()));
        }
        ChoiceFields.finished(choice, prompt, result, tokenIds);
        return choice;
    }

    @Override
    public Optional<ObjectNode> openingChoice(int index, int[] prompt) {
        if (!echo && !tokenIds) {
            return Optional.empty();
        }
        ObjectNode choice = ChoiceFields.choice(index);
        choice.put("text", echo ? promptText(prompt) : "");
        ChoiceFields.streamedOpening(choice, prompt, tokenIds);
        return Optional.of(choice);
    }

    @Override
    public Optional<ObjectNode> scoredOpeningChoice(int index, int[] prompt, List<SampledToken> promptScores) {
        Optional<ObjectNode> opening = openingChoice(index, prompt);
        if (echo && logprobs) {
            opening.ifPresent(choice -> choice.set("logprobs", promptLogprobs(prompt, promptScores)));
        }
        return opening;
    }

    @Override
    public ObjectNode tokenChoice(int index, GenerationEvent.Token token) {
        ObjectNode choice = ChoiceFields.choice(index);
        choice.put("text", token.text());
        if (logprobs) {
            choice.set("logprobs", legacyLogprobs(previous[index], List.of(token.token()), offsets[index]));
            offsets[index] += codePoints(TokenText.text(tokenizer, previous[index], token.token().token()));
        } else {
            choice.putNull("logprobs");
        }
        previous[index] = token.token().token();
        ChoiceFields.streamedToken(choice, token, tokenIds);
        return choice;
    }

    @Override
    public ObjectNode closingChoice(int index, GenerationEvent.Finished finished) {
        ObjectNode choice = ChoiceFields.choice(index);
        choice.put("text", finished.pendingText());
        ChoiceFields.streamedEnd(choice, finished);
        return choice;
    }

    /**
     * With {@code echo}: the prompt's tokens first — the first has no context, so its values are null
     * as in OpenAI's answers — then the completion's, offsets counted from the start of the prompt.
     */
    private ObjectNode echoedLogprobs(int[] prompt, SequenceResult result) {
        ObjectNode out = legacyLogprobs(-1, List.of(), 0);
        int offset = appendPromptLogprobs(out, prompt, result.promptScores());
        appendLogprobs(out, prompt[prompt.length - 1], result.tokens(), offset);
        return out;
    }

    /** The prompt's part of the echoed log-probabilities (alone, a streamed echo's opening chunk). */
    private ObjectNode promptLogprobs(int[] prompt, List<SampledToken> promptScores) {
        ObjectNode out = legacyLogprobs(-1, List.of(), 0);
        appendPromptLogprobs(out, prompt, promptScores);
        return out;
    }

    /** Appends the prompt's tokens to the legacy lists in {@code out}; returns the text offset after them. */
    private int appendPromptLogprobs(ObjectNode out, int[] prompt, List<SampledToken> promptScores) {
        out.withArrayProperty("tokens").add(TokenText.text(tokenizer, -1, prompt[0]));
        out.withArrayProperty("token_logprobs").addNull();
        out.withArrayProperty("top_logprobs").addNull();
        out.withArrayProperty("text_offset").add(0);
        return appendLogprobs(out, prompt[0], promptScores, codePoints(TokenText.text(tokenizer, -1, prompt[0])));
    }

    /** OpenAI's legacy shape: parallel lists, top alternatives as {token text: log-probability} maps. */
    private ObjectNode legacyLogprobs(int previousToken, List<SampledToken> tokens, int startOffset) {
        ObjectNode out = Json.object();
        out.putArray("tokens");
        out.putArray("token_logprobs");
        out.putArray("top_logprobs");
        out.putArray("text_offset");
        appendLogprobs(out, previousToken, tokens, startOffset);
        return out;
    }

    /** Appends {@code tokens} to the legacy lists in {@code out}; returns the text offset after them. */
    private int appendLogprobs(ObjectNode out, int previousToken, List<SampledToken> tokens, int startOffset) {
        ArrayNode texts = out.withArrayProperty("tokens");
        ArrayNode values = out.withArrayProperty("token_logprobs");
        ArrayNode tops = out.withArrayProperty("top_logprobs");
        ArrayNode textOffsets = out.withArrayProperty("text_offset");
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
            // As vLLM: the chosen token is among its own alternatives, so logprobs 0 still names it.
            if (!top.has(text)) {
                top.put(text, t.logprob());
            }
            textOffsets.add(offset);
            offset += codePoints(text);
            prev = t.token();
        }
        return offset;
    }

    /** vLLM's {@code text_offset} counts as Python's {@code len}: code points, so an emoji is one, not two. */
    private static int codePoints(String text) {
        return text.codePointCount(0, text.length());
    }
}
