/**
 * An independent reference for Qwen2/Qwen2.5 and Qwen3 dense decoders, written from transformers'
 * {@code modeling_qwen2.py} / {@code modeling_qwen3.py} and their configuration classes, to check the engine against.
 *
 * <p>{@link dev.ingot.testkit.reference.QwenReference} runs the forward pass in double precision without a KV cache;
 * {@link dev.ingot.testkit.reference.RandomQwenCheckpoint} writes a Hugging Face folder (config.json,
 * model.safetensors, optionally the Qwen3 tokenizer) with seeded random weights and returns exactly what it stored.
 *
 * <p>What an implementation has to get right, as transformers does it:
 * <ul>
 *   <li>Biases: Qwen2 always has q/k/v biases and never an o_proj bias. Qwen3's {@code attention_bias} (default false)
 *       switches biases on for q, k, v <em>and</em> o_proj.</li>
 *   <li>Qwen3 {@code head_dim} comes from the config and is not hidden/heads in real models (0.6B: 1024/16 but 128);
 *       q_proj is then {@code [heads*head_dim, hidden]} and o_proj {@code [hidden, heads*head_dim]}. Scaling is
 *       {@code head_dim^-0.5}.</li>
 *   <li>Qwen3 q_norm/k_norm: one RMSNorm of size head_dim per layer for q and one for k, applied to every head
 *       separately, after the projection and BEFORE RoPE, with the model's rms_norm_eps.</li>
 *   <li>RoPE is rotate-half: dimension i pairs with i + head_dim/2 (not i+1), over the whole head_dim, with
 *       {@code inv_freq[i] = theta^(-2i/head_dim)} (divided by the factor for linear rope_scaling). Position ids are
 *       0..n-1; no BOS is prepended by the Qwen tokenizer ({@code add_bos_token} false).</li>
 *   <li>GQA: query head h uses key/value head {@code h / (heads / kv_heads)}.</li>
 *   <li>RMSNorm is {@code w * x / sqrt(mean(x^2) + eps)} (no 1+w, no mean subtraction); transformers computes the
 *       statistics in float32 and multiplies by the weight after casting back to the activation dtype.</li>
 *   <li>Tied embeddings: the config key decides; the small Qwen2.5 (0.5B-3B) and Qwen3 (0.6B-4B) tie, bigger ones
 *       ship {@code lm_head.weight}. The config classes default to false.</li>
 *   <li>Sliding window: ignored unless {@code use_sliding_window} (real Qwen2.5 configs carry a
 *       {@code sliding_window} value with use_sliding_window false); when on, layers {@code >= max_window_layers}
 *       attend to keys with {@code q - sliding_window < k <= q}.</li>
 * </ul>
 */
package dev.ingot.testkit.reference;
