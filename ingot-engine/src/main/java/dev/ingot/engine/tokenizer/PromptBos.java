package dev.ingot.engine.tokenizer;

import dev.ingot.spi.tokenizer.Tokenizer;

/**
 * Whether a prompt starts with BOS, and which one: the tokenizer says whether
 * ({@link Tokenizer#addsBos()}, by default whenever it has one), the model's config which id. A tokenizer
 * may also want EOS after it ({@link Tokenizer#addsEos()}, Hugging Face's {@code add_eos_token}).
 */
public final class PromptBos {

    private PromptBos() {}

    /** Whether {@code tokenizer} wants BOS in front of prompts. */
    public static boolean adds(Tokenizer tokenizer) {
        return tokenizer.addsBos();
    }

    /**
     * {@code body} with BOS in front when the tokenizer wants one: the model's BOS id when its config names
     * one ({@code modelBosId >= 0}), else the tokenizer's.
     */
    public static int[] prepend(Tokenizer tokenizer, int modelBosId, int[] body) {
        if (!adds(tokenizer)) {
            return body;
        }
        int bos = modelBosId >= 0 ? modelBosId : tokenizer.bosId();
        if (bos < 0) {
            return body;
        }
        int[] out = new int[body.length + 1];
        out[0] = bos;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** {@code body} with the special tokens the tokenizer puts around a prompt: BOS before (see {@link #prepend}), EOS after. */
    public static int[] surround(Tokenizer tokenizer, int modelBosId, int[] body) {
        int[] withBos = prepend(tokenizer, modelBosId, body);
        if (!tokenizer.addsEos() || tokenizer.eosId() < 0) {
            return withBos;
        }
        int[] out = java.util.Arrays.copyOf(withBos, withBos.length + 1);
        out[withBos.length] = tokenizer.eosId();
        return out;
    }
}
