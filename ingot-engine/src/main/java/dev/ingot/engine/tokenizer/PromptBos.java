package dev.ingot.engine.tokenizer;

import dev.ingot.spi.tokenizer.Tokenizer;

/**
 * Whether a prompt starts with BOS, and which one. The SPI {@link Tokenizer} only names a BOS id; a
 * tokenizer that knows whether its prompts carry it (Hugging Face's {@code add_bos_token}) says so by
 * implementing {@link Aware}. Tokenizers that do not keep the Llama convention: BOS whenever there is one.
 */
public final class PromptBos {

    /** Implemented by tokenizers that know whether encoding a prompt prepends BOS. */
    public interface Aware {
        /** True when a prompt's ids start with BOS (false also when the tokenizer has no BOS). */
        boolean addsBos();
    }

    private PromptBos() {}

    /** Whether {@code tokenizer} wants BOS in front of prompts. */
    public static boolean adds(Tokenizer tokenizer) {
        return tokenizer instanceof Aware aware ? aware.addsBos() : tokenizer.bosId() >= 0;
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
}
