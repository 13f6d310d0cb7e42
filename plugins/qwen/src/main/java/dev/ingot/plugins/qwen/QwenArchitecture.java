package dev.ingot.plugins.qwen;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.SpecProperty;
import dev.ingot.spi.model.StandardConfig;
import dev.ingot.spi.model.StandardDecoder;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import java.util.List;

/**
 * Qwen2 (and Qwen2.5, which shares its class) and Qwen3, as transformers defines them: the Llama-style
 * pre-norm decoder plus, for Qwen2, biases on the q/k/v projections; for Qwen3, a per-head RMSNorm
 * of q and k before RoPE, a {@code head_dim} of its own, and biases on all four projections only when
 * {@code attention_bias} is set. The sliding window applies only when {@code use_sliding_window} is
 * set, and then only from layer {@code max_window_layers} on.
 */
final class QwenArchitecture implements ModelArchitecture {

    static final QwenArchitecture QWEN2 = new QwenArchitecture("qwen2", "Qwen2ForCausalLM",
            new StandardConfig.Defaults(-1, List.of(), 10000.0, 1e-6, false, 32768));
    static final QwenArchitecture QWEN3 = new QwenArchitecture("qwen3", "Qwen3ForCausalLM",
            new StandardConfig.Defaults(-1, List.of(), 10000.0, 1e-6, false, 40960));

    /** Qwen3's {@code attention_bias}: q, k, v and o projections all carry a bias. */
    static final SpecProperty<Boolean> ATTENTION_BIAS = SpecProperty.of("qwen.attention_bias", Boolean.class, false);
    /** The first layer the sliding window applies to ({@code max_window_layers}); meaningful only with a window. */
    static final SpecProperty<Integer> WINDOW_FROM_LAYER = SpecProperty.of("qwen.max_window_layers", Integer.class, 0);

    /** Qwen3Config's default {@code head_dim}: not {@code hidden_size / num_attention_heads}. */
    private static final int QWEN3_DEFAULT_HEAD_DIM = 128;
    /** Qwen2Config's default {@code max_window_layers}. */
    private static final int DEFAULT_MAX_WINDOW_LAYERS = 28;

    private final String name;
    private final String hfClass;
    private final StandardConfig.Defaults defaults;

    private QwenArchitecture(String name, String hfClass, StandardConfig.Defaults defaults) {
        this.name = name;
        this.hfClass = hfClass;
        this.defaults = defaults;
    }

    @Override
    public String name() {
        return name;
    }

    /** Qwen2: q/k/v biases, always. Qwen3: q/k norms; biases on all four projections only with attention_bias. */
    private StandardDecoder decoder(ModelSpec spec) {
        if (this == QWEN2) {
            return StandardDecoder.of(spec).qkvBias(true);
        }
        boolean bias = spec.get(ATTENTION_BIAS);
        return StandardDecoder.of(spec).qkNorm(true).qkvBias(bias).outputBias(bias);
    }

    @Override
    public String description() {
        return this == QWEN2 ? "Qwen2ForCausalLM (Qwen2, Qwen2.5): Llama-style decoder with q/k/v biases"
                : "Qwen3ForCausalLM: Llama-style decoder with per-head q/k RMSNorm, own head_dim, optional attention biases";
    }

    @Override
    public List<String> hfArchitectures() {
        return List.of(hfClass);
    }

    @Override
    public List<String> modelTypes() {
        return List.of(name);
    }

    @Override
    public ModelSpec parse(ModelConfig config) throws CheckpointException {
        StandardConfig.requireActivation(config, "silu");
        ModelSpec.Builder spec = StandardConfig.read(config, name, defaults);
        if (this == QWEN3 && !config.has("head_dim")) {
            spec.headDim(QWEN3_DEFAULT_HEAD_DIM);
        }
        if (this == QWEN3) {
            spec.set(ATTENTION_BIAS, config.bool("attention_bias").orElse(false));
        } else if (config.bool("attention_bias").orElse(false)) {
            throw config.fail("Qwen2 has no \"attention_bias\" switch (its q/k/v biases are always there, o_proj has none)");
        }
        // transformers ignores sliding_window unless use_sliding_window is set
        if (config.bool("use_sliding_window").orElse(false)) {
            int window = config.integer("sliding_window").orElseThrow(
                    () -> config.fail("use_sliding_window is true but sliding_window is not set"));
            spec.slidingWindow(window).set(WINDOW_FROM_LAYER, config.integer("max_window_layers").orElse(DEFAULT_MAX_WINDOW_LAYERS));
        } else {
            spec.slidingWindow(0);
        }
        return StandardConfig.build(config, spec);
    }

    @Override
    public ModelConfig describe(ModelSpec spec) {
        ModelConfig.Builder config = StandardConfig.describe(spec, "config of " + name, hfClass, name)
                .put("hidden_act", "silu")
                .put("use_sliding_window", spec.slidingWindow() > 0);
        if (spec.slidingWindow() > 0) {
            config.put("max_window_layers", spec.get(WINDOW_FROM_LAYER));
        }
        if (this == QWEN3) {
            config.put("attention_bias", spec.get(ATTENTION_BIAS));
        }
        return config.build();
    }

    @Override
    public DecoderBlueprint blueprint(ModelSpec spec) {
        return decoder(spec).slidingWindowFrom(spec.slidingWindow() > 0 ? spec.get(WINDOW_FROM_LAYER) : 0).build();
    }
}
