package dev.ingot.testkit.reference;

import java.util.Objects;

/**
 * The hyper-parameters of a Qwen2/Qwen2.5 ({@code model_type "qwen2"}) or Qwen3 dense ({@code "qwen3"}) decoder, named
 * after the keys of transformers' {@code Qwen2Config} / {@code Qwen3Config}.
 *
 * @param modelType             {@code "qwen2"} or {@code "qwen3"}
 * @param hiddenSize            {@code hidden_size}
 * @param layers                {@code num_hidden_layers}
 * @param heads                 {@code num_attention_heads}
 * @param kvHeads               {@code num_key_value_heads}; must divide {@code heads} (repeat_kv)
 * @param headDim               {@code head_dim}; Qwen3 configs always carry it and it need not be hidden/heads
 *                              (Qwen3-0.6B: 1024 hidden, 16 heads, head_dim 128). Qwen2 configs normally omit it,
 *                              and then transformers uses hidden/heads.
 * @param intermediateSize      {@code intermediate_size}
 * @param vocabSize             {@code vocab_size}
 * @param ropeTheta             {@code rope_theta}
 * @param rmsNormEps            {@code rms_norm_eps}, shared by every RMSNorm of the model (q_norm/k_norm included)
 * @param tieWordEmbeddings     {@code tie_word_embeddings}: the LM head reuses {@code model.embed_tokens.weight}
 * @param attentionBias         {@code attention_bias} (Qwen3 only: bias on q/k/v <em>and</em> o_proj).
 *                              Qwen2 has no such key: its q/k/v always have a bias and o_proj never; must be false.
 * @param ropeScaling           {@code rope_scaling}; null for plain RoPE
 * @param useSlidingWindow      {@code use_sliding_window}
 * @param slidingWindow         {@code sliding_window}, may be null; only used when {@code useSlidingWindow}
 * @param maxWindowLayers       {@code max_window_layers}: layers with index {@code >=} this use the window
 * @param maxPositionEmbeddings {@code max_position_embeddings} (only written to config.json; plain RoPE ignores it)
 * @param bosTokenId            {@code bos_token_id}
 * @param eosTokenId            {@code eos_token_id}
 */
public record QwenConfig(
        String modelType,
        int hiddenSize,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int intermediateSize,
        int vocabSize,
        double ropeTheta,
        double rmsNormEps,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        RopeScaling ropeScaling,
        boolean useSlidingWindow,
        Integer slidingWindow,
        int maxWindowLayers,
        int maxPositionEmbeddings,
        int bosTokenId,
        int eosTokenId) {

    /** The vocabulary size of every released Qwen2.5 / Qwen3 checkpoint (the tokenizer's ids stop at 151668). */
    public static final int QWEN_VOCAB = 151936;

    /**
     * {@code rope_scaling}. Only {@code "linear"} is modelled (transformers' {@code _compute_linear_scaling_rope_parameters}
     * divides every inverse frequency by {@code factor}); other types are refused rather than silently ignored.
     */
    public record RopeScaling(String type, double factor) {
        public RopeScaling {
            if (!"linear".equals(type)) {
                throw new UnsupportedOperationException("rope_scaling type " + type + " is not modelled by the reference");
            }
            if (!(factor > 0)) {
                throw new IllegalArgumentException("rope_scaling factor must be positive: " + factor);
            }
        }
    }

    public QwenConfig {
        Objects.requireNonNull(modelType, "modelType");
        if (!isQwen2(modelType) && !isQwen3(modelType)) {
            throw new IllegalArgumentException("modelType must be qwen2 or qwen3: " + modelType);
        }
        if (isQwen2(modelType) && attentionBias) {
            throw new IllegalArgumentException("qwen2 has no attention_bias switch: q/k/v always biased, o_proj never");
        }
        if (hiddenSize <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || intermediateSize <= 0
                || vocabSize <= 0) {
            throw new IllegalArgumentException("sizes must be positive");
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + heads + " not a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotate-half RoPE needs an even head_dim: " + headDim);
        }
        if (useSlidingWindow && (slidingWindow == null || slidingWindow <= 0)) {
            throw new IllegalArgumentException("use_sliding_window needs a positive sliding_window");
        }
    }

    /**
     * A small Qwen3 shaped like the real ones: GQA 4:2 and head_dim 32 although hidden/heads is 16 (as in
     * Qwen3-0.6B, where q_proj is wider than hidden), tied embeddings (Qwen3-0.6B/1.7B/4B tie; 8B and up do not),
     * real vocab and special-token ids.
     */
    public static QwenConfig tinyQwen3() {
        return new QwenConfig("qwen3", 64, 2, 4, 2, 32, 128, QWEN_VOCAB, 1_000_000.0, 1e-6, true, false, null,
                false, null, 2, 40960, 151643, 151645);
    }

    /** A small Qwen2.5: head_dim = hidden/heads as Qwen2 derives it, tied (as Qwen2.5-0.5B/1.5B/3B), real vocab. */
    public static QwenConfig tinyQwen2() {
        return new QwenConfig("qwen2", 64, 2, 4, 2, 16, 128, QWEN_VOCAB, 1_000_000.0, 1e-6, true, false, null,
                false, null, 2, 32768, 151643, 151643);
    }

    public boolean isQwen3() {
        return isQwen3(modelType);
    }

    /** Qwen2Attention: q/k/v_proj built with bias=True; Qwen3Attention: bias=config.attention_bias. */
    public boolean qkvBias() {
        return isQwen2(modelType) || attentionBias;
    }

    /** Qwen2Attention: o_proj bias=False; Qwen3Attention: o_proj bias=config.attention_bias too. */
    public boolean outputBias() {
        return isQwen3() && attentionBias;
    }

    /** Only Qwen3Attention has the per-head q_norm/k_norm. */
    public boolean qkNorm() {
        return isQwen3();
    }

    /** Heads sharing one key/value head (Qwen*Attention.num_key_value_groups). */
    public int groups() {
        return heads / kvHeads;
    }

    /**
     * Whether layer {@code i} is a "sliding_attention" layer. Mirrors Qwen2Config/Qwen3Config.__post_init__: the
     * window is dropped entirely unless use_sliding_window, and then applies to layers {@code i >= max_window_layers}.
     */
    public boolean slidingLayer(int i) {
        return useSlidingWindow && slidingWindow != null && i >= maxWindowLayers;
    }

    public QwenConfig withLayers(int n) {
        return new QwenConfig(modelType, hiddenSize, n, heads, kvHeads, headDim, intermediateSize, vocabSize, ropeTheta,
                rmsNormEps, tieWordEmbeddings, attentionBias, ropeScaling, useSlidingWindow, slidingWindow,
                maxWindowLayers, maxPositionEmbeddings, bosTokenId, eosTokenId);
    }

    public QwenConfig withVocabSize(int n) {
        return new QwenConfig(modelType, hiddenSize, layers, heads, kvHeads, headDim, intermediateSize, n, ropeTheta,
                rmsNormEps, tieWordEmbeddings, attentionBias, ropeScaling, useSlidingWindow, slidingWindow,
                maxWindowLayers, maxPositionEmbeddings, bosTokenId, eosTokenId);
    }

    public QwenConfig withKvHeads(int n) {
        return new QwenConfig(modelType, hiddenSize, layers, heads, n, headDim, intermediateSize, vocabSize, ropeTheta,
                rmsNormEps, tieWordEmbeddings, attentionBias, ropeScaling, useSlidingWindow, slidingWindow,
                maxWindowLayers, maxPositionEmbeddings, bosTokenId, eosTokenId);
    }

    public QwenConfig withTieWordEmbeddings(boolean tie) {
        return new QwenConfig(modelType, hiddenSize, layers, heads, kvHeads, headDim, intermediateSize, vocabSize,
                ropeTheta, rmsNormEps, tie, attentionBias, ropeScaling, useSlidingWindow, slidingWindow,
                maxWindowLayers, maxPositionEmbeddings, bosTokenId, eosTokenId);
    }

    public QwenConfig withAttentionBias(boolean bias) {
        return new QwenConfig(modelType, hiddenSize, layers, heads, kvHeads, headDim, intermediateSize, vocabSize,
                ropeTheta, rmsNormEps, tieWordEmbeddings, bias, ropeScaling, useSlidingWindow, slidingWindow,
                maxWindowLayers, maxPositionEmbeddings, bosTokenId, eosTokenId);
    }

    public QwenConfig withRopeScaling(RopeScaling scaling) {
        return new QwenConfig(modelType, hiddenSize, layers, heads, kvHeads, headDim, intermediateSize, vocabSize,
                ropeTheta, rmsNormEps, tieWordEmbeddings, attentionBias, scaling, useSlidingWindow, slidingWindow,
                maxWindowLayers, maxPositionEmbeddings, bosTokenId, eosTokenId);
    }

    /** Turns the window on (use_sliding_window true) for layers {@code >= fromLayer}, or off when window is null. */
    public QwenConfig withSlidingWindow(Integer window, int fromLayer) {
        return new QwenConfig(modelType, hiddenSize, layers, heads, kvHeads, headDim, intermediateSize, vocabSize,
                ropeTheta, rmsNormEps, tieWordEmbeddings, attentionBias, ropeScaling, window != null, window,
                fromLayer, maxPositionEmbeddings, bosTokenId, eosTokenId);
    }

    private static boolean isQwen2(String t) {
        return "qwen2".equals(t);
    }

    private static boolean isQwen3(String t) {
        return "qwen3".equals(t);
    }
}
