package dev.ingot.engine.sample;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.BitSet;

/**
 * OpenAI's {@code response_format: json_schema} for one sequence: before each token, the tokens whose
 * bytes would leave the schema's texts are banned (a walk of the {@link TokenTrie} over the
 * {@link SchemaPrefix} automaton); once the value is whole the completion is over. Tokens that add
 * no bytes (EOS, control tokens) are banned until then.
 */
public final class SchemaConstraint implements TokenConstraint {

    private final Tokenizer tokenizer;
    private final int vocab;
    private SchemaPrefix state;
    private int previous;
    private boolean first = true;

    /**
     * @param vocab         the model's vocabulary size (entries the tokenizer does not know are banned)
     * @param previousToken the prompt's last token, which the first token's bytes follow
     */
    public SchemaConstraint(SchemaNode root, Tokenizer tokenizer, int vocab, int previousToken) {
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.state = SchemaPrefix.start(root);
        this.previous = previousToken;
    }

    @Override
    public int[] banned() {
        BitSet allowed = new BitSet(vocab);
        if (state.canContinue()) {
            if (first) {
                allowedAtStart(allowed); // the first token may decode differently after BOS: ask for each
            } else {
                TokenTrie.of(tokenizer).allowed(state, allowed);
            }
        }
        allowed.clear(vocab, Math.max(vocab, allowed.length()));
        int[] out = new int[vocab - allowed.cardinality()];
        int n = 0;
        for (int t = allowed.nextClearBit(0); t < vocab; t = allowed.nextClearBit(t + 1)) {
            out[n++] = t;
        }
        return out;
    }

    private void allowedAtStart(BitSet allowed) {
        int known = Math.min(vocab, tokenizer.vocabSize());
        for (int t = 0; t < known; t++) {
            byte[] bytes = tokenizer.decode(previous, t);
            if (bytes.length > 0 && state.acceptAll(bytes) != null) {
                allowed.set(t);
            }
        }
    }

    @Override
    public void advance(int token) {
        byte[] bytes = tokenizer.decode(previous, token);
        SchemaPrefix next = bytes.length == 0 ? null : state.acceptAll(bytes);
        if (next == null) {
            throw new IllegalStateException("token " + token + " does not continue the schema's JSON");
        }
        state = next;
        previous = token;
        first = false;
    }

    @Override
    public boolean complete() {
        return state.complete();
    }
}
