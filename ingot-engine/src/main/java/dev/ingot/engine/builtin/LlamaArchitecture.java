package dev.ingot.engine.builtin;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.StandardConfig;
import dev.ingot.spi.model.StandardDecoder;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import java.util.List;

/**
 * The Llama family as the engine ships it — Llama 2/3 ({@code llama}) and Mistral ({@code mistral}):
 * the plain pre-norm decoder with SwiGLU, rotate-half RoPE and GQA. Provided through the same
 * extension point as any plugin's architecture; nothing else in the engine knows about it.
 */
public final class LlamaArchitecture implements ModelArchitecture {

    private final String name;
    private final String hfClass;

    private LlamaArchitecture(String name, String hfClass) {
        this.name = name;
        this.hfClass = hfClass;
    }

    public static LlamaArchitecture llama() {
        return new LlamaArchitecture("llama", "LlamaForCausalLM");
    }

    public static LlamaArchitecture mistral() {
        return new LlamaArchitecture("mistral", "MistralForCausalLM");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String description() {
        return hfClass + ": pre-norm decoder, SwiGLU, RoPE (theta, linear/llama3 scaling), GQA"
                + (name.equals("mistral") ? ", sliding window" : "");
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
        return StandardConfig.build(config, StandardConfig.read(config, name, StandardConfig.Defaults.LLAMA));
    }

    @Override
    public ModelConfig describe(ModelSpec spec) {
        return StandardConfig.describe(spec, "config of " + name, hfClass, name).put("hidden_act", "silu").build();
    }

    @Override
    public DecoderBlueprint blueprint(ModelSpec spec) {
        return StandardDecoder.of(spec).build();
    }
}
