package dev.ingot.spi.model;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.blueprint.DecoderBlueprint;
import java.util.List;

/**
 * A model architecture a plugin contributes: which configs it answers to, how it reads their keys,
 * which weights a model of it needs, and its forward pass, assembled from the engine's building blocks
 * as a {@link DecoderBlueprint}. The plugin describes; the engine computes (a plugin never writes
 * kernels). The built-in Llama family is provided exactly this way.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface ModelArchitecture {

    /** The engine's name for it, e.g. {@code "qwen3"}; {@link ModelSpec#architecture()} carries it. Lower case. */
    String name();

    /** One line for {@code ingot plugins}. */
    String description();

    /** Hugging Face class names it answers to ({@code "architectures"} in config.json), e.g. {@code Qwen3ForCausalLM}. */
    List<String> hfArchitectures();

    /** Hugging Face {@code model_type}s it answers to when a config names no class, e.g. {@code qwen3}. */
    List<String> modelTypes();

    /**
     * Reads a config (in Hugging Face vocabulary, whatever format it came from) into a spec whose
     * {@link ModelSpec#architecture()} is {@link #name()}. {@link StandardConfig} reads the keys most
     * decoders share. Refuses, with an error naming the key, what this architecture cannot run.
     */
    ModelSpec parse(ModelConfig config) throws CheckpointException;

    /** The inverse of {@link #parse}: the config a writer stores for {@code spec} (e.g. an hf {@code config.json}). */
    ModelConfig describe(ModelSpec spec);

    /** The forward pass of a model of {@code spec}, as blocks naming canonical weights. */
    DecoderBlueprint blueprint(ModelSpec spec);

    /** Every weight a model of {@code spec} needs, in model order: by default, those its blueprint names. */
    default List<WeightSlot> weights(ModelSpec spec) {
        return blueprint(spec).weights();
    }
}
