package dev.ingot.engine.sample;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * OpenAI's {@code response_format: json_object} for one sequence: before each token, the vocabulary
 * entries whose bytes (after the previous token, as the text decodes them) would break the JSON
 * object are banned; once the object closes the completion is over. Tokens that add no bytes
 * (control tokens, EOS) are banned too, so the text is a prefix of one JSON object at every step
 * and a whole one when it ends for this reason.
 *
 * <p>Each step tries every vocabulary entry against the current state (a copy of a small pushdown
 * automaton, {@link JsonPrefix}), so it costs one pass over the vocabulary's bytes per token.
 */
public final class JsonConstraint implements TokenConstraint {

    private final Tokenizer tokenizer;
    private final int vocab;
    private final JsonPrefix state = new JsonPrefix();
    private final JsonPrefix scratch = new JsonPrefix();
    private int previous;

    /**
     * @param vocab         the model's vocabulary size (entries the tokenizer does not know are banned)
     * @param previousToken the prompt's last token, which the first token's bytes follow
     */
    public JsonConstraint(Tokenizer tokenizer, int vocab, int previousToken) {
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.previous = previousToken;
    }

    /** The tokens that may not come next; all {@code vocab} of them when nothing continues the JSON. */
    @Override
    public int[] banned() {
        int[] out = new int[vocab];
        int n = 0;
        int known = tokenizer.vocabSize();
        for (int token = 0; token < vocab; token++) {
            if (token >= known || !fits(tokenizer.decode(previous, token))) {
                out[n++] = token;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private boolean fits(byte[] bytes) {
        return bytes.length > 0 && scratch.copyFrom(state).acceptAll(bytes);
    }

    /** Moves past a sampled token (one that {@link #banned()} allowed). */
    @Override
    public void advance(int token) {
        if (!state.acceptAll(tokenizer.decode(previous, token))) {
            throw new IllegalStateException("token " + token + " does not continue the JSON object");
        }
        previous = token;
    }

    /** Whether the object has closed. */
    @Override
    public boolean complete() {
        return state.complete();
    }
}
