package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.SequenceResult;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code /v1/chat/completions} choices: an assistant {@code message} (streamed as {@code delta}s)
 * and, when {@code logprobs} is true, the chat log-probability shape
 * {@code {"content": [{"token", "logprob", "bytes", "top_logprobs"}]}}.
 */
final class ChatFormat implements ResponseFormat {

    private final Tokenizer tokenizer;
    private final boolean logprobs;
    private final boolean tokenIds;
    private final boolean promptLogprobs;
    private final int[] prompt;
    private final int[] previous;

    ChatFormat(Tokenizer tokenizer, int[] prompt, int n, boolean logprobs, boolean tokenIds) {
        this(tokenizer, prompt, n, logprobs, tokenIds, false);
    }

    /** @param promptLogprobs add vLLM's {@code prompt_logprobs} to the response (once: the choices share the prompt) */
    ChatFormat(Tokenizer tokenizer, int[] prompt, int n, boolean logprobs, boolean tokenIds, boolean promptLogprobs) {
        this.promptLogprobs = promptLogprobs;
        this.prompt = prompt.clone();
        this.tokenizer = tokenizer;
        this.logprobs = logprobs;
        this.tokenIds = tokenIds;
        this.previous = new int[n];
        Arrays.fill(previous, prompt[prompt.length - 1]);
    }

    @Override
    public String object() {
        return "chat.completion";
    }

    @Override
    public String chunkObject() {
        return "chat.completion.chunk";
    }

    @Override
    public String idPrefix() {
        return "chatcmpl-";
    }

    @Override
    public ObjectNode choice(int index, int[] prompt, SequenceResult result) {
        ObjectNode choice = ChoiceFields.choice(index);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", result.text());
        if (logprobs) {
            choice.putObject("logprobs").set("content", content(prompt[prompt.length - 1], result.tokens()));
        } else {
            choice.putNull("logprobs");
        }
        ChoiceFields.finished(choice, prompt, result, tokenIds);
        return choice;
    }

    @Override
    public void decorate(ObjectNode response, List<SequenceResult> results) {
        if (promptLogprobs) {
            response.set("prompt_logprobs", PromptLogprobs.json(tokenizer, prompt, results.getFirst().promptScores()));
        }
    }

    @Override
    public Optional<ObjectNode> openingChoice(int index, int[] prompt) {
        ObjectNode choice = ChoiceFields.choice(index);
        ObjectNode delta = choice.putObject("delta");
        delta.put("role", "assistant");
        delta.put("content", "");
        ChoiceFields.streamedOpening(choice, prompt, tokenIds);
        return Optional.of(choice);
    }

    @Override
    public ObjectNode tokenChoice(int index, GenerationEvent.Token token) {
        ObjectNode choice = ChoiceFields.choice(index);
        choice.putObject("delta").put("content", token.text());
        if (logprobs) {
            choice.putObject("logprobs").set("content", content(previous[index], List.of(token.token())));
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
        ObjectNode delta = choice.putObject("delta");
        if (!finished.pendingText().isEmpty()) {
            delta.put("content", finished.pendingText());
        }
        ChoiceFields.streamedEnd(choice, finished);
        return choice;
    }

    private ArrayNode content(int previousToken, List<SampledToken> tokens) {
        ArrayNode content = Json.array();
        int prev = previousToken;
        for (SampledToken t : tokens) {
            ObjectNode entry = entry(prev, t.token(), t.logprob());
            ArrayNode top = entry.putArray("top_logprobs");
            for (SampledToken.TokenLogprob alt : t.top()) {
                top.add(entry(prev, alt.token(), alt.logprob()));
            }
            content.add(entry);
            prev = t.token();
        }
        return content;
    }

    private ObjectNode entry(int previousToken, int token, float logprob) {
        ObjectNode entry = Json.object();
        entry.put("token", TokenText.text(tokenizer, previousToken, token));
        entry.put("logprob", logprob);
        ArrayNode bytes = entry.putArray("bytes");
        for (byte b : TokenText.bytes(tokenizer, previousToken, token)) {
            bytes.add(b & 0xff);
        }
        return entry;
    }
}
