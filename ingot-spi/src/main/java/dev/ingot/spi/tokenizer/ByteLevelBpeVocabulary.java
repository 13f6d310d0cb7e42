package dev.ingot.spi.tokenizer;

import java.util.List;

/**
 * A GPT-2-style byte-level BPE vocabulary a format carries in its own container (GGUF's {@code gpt2}
 * tokenizer, llama.cpp's names in brackets), for
 * {@link dev.ingot.spi.engine.EngineServices#byteLevelBpe(ByteLevelBpeVocabulary)}.
 *
 * @param tokens        every token in byte-level form (bytes mapped to printable characters, as GPT-2 does), by id
 * @param merges        merge rules, highest priority first, each {@code "left right"}
 * @param kinds         per token: {@link Kind#CONTROL} for control tokens such as {@code <|im_end|>} (input text may
 *                      spell them; decoding skips them on request), {@link Kind#USER_DEFINED} for tokens input
 *                      text matches whole but that are ordinary text (Qwen3's {@code <think>}), else {@link Kind#NORMAL}
 * @param preTokenizer  how text is split before BPE, by llama.cpp's name ({@code tokenizer.ggml.pre}):
 *                      {@code "qwen2"}, {@code "llama-bpe"} (Llama 3), {@code "gpt2"}/{@code "default"}
 * @param bosId         -1 when none
 * @param eosId         -1 when none
 * @param addBos        prompts start with BOS ({@code tokenizer.ggml.add_bos_token})
 */
public record ByteLevelBpeVocabulary(List<String> tokens, List<String> merges, List<Kind> kinds, String preTokenizer,
        int bosId, int eosId, boolean addBos) {

    /** GGUF's token types, as far as tokenizing cares. */
    public enum Kind {
        NORMAL, CONTROL, USER_DEFINED
    }

    public ByteLevelBpeVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        kinds = List.copyOf(kinds);
        if (kinds.size() != tokens.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + kinds.size() + " token kinds");
        }
        for (int id : new int[] {bosId, eosId}) {
            if (id < -1 || id >= tokens.size()) {
                throw new IllegalArgumentException("special token id " + id + " is outside the vocabulary of " + tokens.size());
            }
        }
    }
}
