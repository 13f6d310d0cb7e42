package dev.ingot.spi.tokenizer;

import java.util.List;

/**
 * A GPT-2-style byte-level BPE vocabulary a format carries in its own container (GGUF's {@code gpt2}
 * tokenizer, llama.cpp's names in brackets), for
 * {@link dev.ingot.spi.engine.EngineServices#byteLevelBpe(ByteLevelBpeVocabulary)}.
 *
 * @param tokens        every token in byte-level form (bytes mapped to printable characters, as GPT-2 does), by id
 * @param merges        merge rules, highest priority first, each {@code "left right"}
 * @param special       per token: true for control tokens such as {@code <|im_end|>} (token type CONTROL), which
 *                      input text may spell and which decoding skips on request
 * @param preTokenizer  how text is split before BPE, by llama.cpp's name ({@code tokenizer.ggml.pre}):
 *                      {@code "qwen2"}, {@code "llama-bpe"} (Llama 3), {@code "gpt2"}/{@code "default"}
 * @param bosId         -1 when none
 * @param eosId         -1 when none
 * @param addBos        prompts start with BOS ({@code tokenizer.ggml.add_bos_token})
 */
public record ByteLevelBpeVocabulary(List<String> tokens, List<String> merges, List<Boolean> special, String preTokenizer,
        int bosId, int eosId, boolean addBos) {

    public ByteLevelBpeVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        special = List.copyOf(special);
        if (special.size() != tokens.size()) {
            throw new IllegalArgumentException(tokens.size() + " tokens but " + special.size() + " special flags");
        }
        for (int id : new int[] {bosId, eosId}) {
            if (id < -1 || id >= tokens.size()) {
                throw new IllegalArgumentException("special token id " + id + " is outside the vocabulary of " + tokens.size());
            }
        }
    }
}
