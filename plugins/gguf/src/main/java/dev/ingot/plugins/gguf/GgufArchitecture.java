package dev.ingot.plugins.gguf;

import java.util.Arrays;
import java.util.Optional;

/**
 * The {@code general.architecture} values this plugin translates, with the Hugging Face names the
 * engine's architecture plugins answer to. llama.cpp writes Mistral models as {@code llama} too
 * ({@code convert_hf_to_gguf}: {@code MistralForCausalLM} is a {@code LlamaModel}).
 */
enum GgufArchitecture {
    LLAMA("llama", "LlamaForCausalLM"),
    QWEN2("qwen2", "Qwen2ForCausalLM"),
    QWEN3("qwen3", "Qwen3ForCausalLM");

    /** The GGUF name, which is also the Hugging Face {@code model_type}. */
    final String ggufName;
    final String hfClass;

    GgufArchitecture(String ggufName, String hfClass) {
        this.ggufName = ggufName;
        this.hfClass = hfClass;
    }

    static Optional<GgufArchitecture> of(String ggufName) {
        return Arrays.stream(values()).filter(a -> a.ggufName.equals(ggufName)).findFirst();
    }
}
