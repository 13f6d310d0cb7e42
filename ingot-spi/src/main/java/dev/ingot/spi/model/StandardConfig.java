package dev.ingot.spi.model;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code config.json} keys most decoder architectures share (sizes, RoPE, norm epsilon, special
 * tokens), read and written the way transformers' configuration classes do, so an architecture plugin
 * only handles the keys that are its own.
 */
public final class StandardConfig {

    private StandardConfig() {}

    /**
     * What an architecture's configuration class assumes for keys a config leaves out.
     *
     * @param bosTokenId     -1 for none
     */
    public record Defaults(int bosTokenId, List<Integer> eosTokenIds, double ropeTheta, double normEps,
            boolean tiedEmbeddings, int maxPositions) {

        public Defaults {
            eosTokenIds = List.copyOf(eosTokenIds);
        }

        /** transformers' LlamaConfig: BOS 1, EOS 2, theta 10000, eps 1e-6, untied, 2048 positions. */
        public static final Defaults LLAMA = new Defaults(1, List.of(2), 10000.0, 1e-6, false, 2048);
    }

    /**
     * Reads the shared keys: {@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads},
     * {@code intermediate_size}, {@code vocab_size} (required); {@code num_key_value_heads}, {@code head_dim},
     * {@code rope_theta}, {@code rope_scaling}, {@code rms_norm_eps}, {@code tie_word_embeddings},
     * {@code max_position_embeddings}, {@code bos_token_id}, {@code eos_token_id}, {@code sliding_window}.
     * An explicit {@code null} BOS or EOS means none.
     */
    public static ModelSpec.Builder read(ModelConfig c, String architecture, Defaults defaults) throws CheckpointException {
        int hidden = c.requiredInt("hidden_size");
        int heads = c.requiredInt("num_attention_heads");
        return ModelSpec.builder()
                .architecture(architecture)
                .hiddenSize(hidden)
                .layers(c.requiredInt("num_hidden_layers"))
                .heads(heads)
                .kvHeads(c.integer("num_key_value_heads").orElse(heads))
                .headDim(c.integer("head_dim").orElse(heads > 0 ? hidden / heads : 0))
                .ffnSize(c.requiredInt("intermediate_size"))
                .vocabSize(c.requiredInt("vocab_size"))
                .ropeTheta(c.number("rope_theta").orElse(defaults.ropeTheta()))
                .ropeScaling(ropeScaling(c))
                .normEps(c.number("rms_norm_eps").orElse(defaults.normEps()))
                .tiedEmbeddings(c.bool("tie_word_embeddings").orElse(defaults.tiedEmbeddings()))
                .maxPositions(c.integer("max_position_embeddings").orElse(defaults.maxPositions()))
                .bosTokenId(tokenId(c, "bos_token_id", defaults.bosTokenId()))
                .eosTokenIds(eosTokenIds(c, defaults.eosTokenIds()))
                .slidingWindow(c.integer("sliding_window").orElse(0))
                .set(Fp8Scaling.PROPERTY, fp8Scaling(c));
    }

    /**
     * {@code quantization_config}: fine-grained FP8 ({@code quant_method: fp8}) is read; any other method
     * (GPTQ, AWQ, bitsandbytes…) is refused by name rather than loaded as if it were plain weights.
     */
    public static Fp8Scaling fp8Scaling(ModelConfig c) throws CheckpointException {
        Optional<JsonObject> q = c.object("quantization_config");
        if (q.isEmpty()) {
            return Fp8Scaling.NONE;
        }
        Optional<JsonValue> method = q.get().get("quant_method");
        String name = method.isPresent() && method.get() instanceof JsonString s ? s.value() : "(none)";
        if (!name.equals("fp8")) {
            throw c.fail("quantization_config.quant_method '" + name + "' is not supported; Ingot reads fp8 checkpoints"
                    + " (and GGUF files for block-quantized weights)");
        }
        Optional<JsonValue> block = q.get().get("weight_block_size");
        if (block.isEmpty() || block.get() instanceof JsonValue.JsonNull) {
            return Fp8Scaling.NONE;
        }
        if (!(block.get() instanceof JsonValue.JsonArray sizes) || sizes.elements().size() != 2
                || !(sizes.elements().get(0) instanceof JsonNumber rows) || !(sizes.elements().get(1) instanceof JsonNumber cols)
                || !rows.isIntegral() || !cols.isIntegral() || rows.longValue() <= 0 || cols.longValue() <= 0
                || rows.longValue() > Integer.MAX_VALUE || cols.longValue() > Integer.MAX_VALUE) {
            throw c.fail("quantization_config.weight_block_size must be two positive integers");
        }
        return new Fp8Scaling((int) rows.longValue(), (int) cols.longValue());
    }

    /** Builds the spec, turning a value the spec refuses into an error that names the config. */
    public static ModelSpec build(ModelConfig c, ModelSpec.Builder builder) throws CheckpointException {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }

    /** Refuses a {@code hidden_act} other than the ones given. */
    public static void requireActivation(ModelConfig c, String... supported) throws CheckpointException {
        Optional<String> act = c.string("hidden_act");
        if (act.isPresent() && !List.of(supported).contains(act.get())) {
            throw c.fail("hidden_act '" + act.get() + "' is not supported; this architecture runs " + String.join(", ", supported));
        }
    }

    private static int tokenId(ModelConfig c, String key, int absentDefault) throws CheckpointException {
        if (c.values().get(key).isEmpty()) {
            return absentDefault;
        }
        return c.integer(key).orElse(-1);
    }

    private static List<Integer> eosTokenIds(ModelConfig c, List<Integer> absentDefault) throws CheckpointException {
        if (c.values().get("eos_token_id").isEmpty()) {
            return absentDefault;
        }
        // counted before a list is built for them: a 2 M-entry list is refused without holding 2 M Integers
        if (c.values().get("eos_token_id").orElseThrow() instanceof JsonValue.JsonArray ids
                && ids.elements().size() > ModelSpec.MAX_EOS_TOKEN_IDS) {
            throw c.fail("eos_token_id lists " + ids.elements().size() + " ids; a model may have at most " + ModelSpec.MAX_EOS_TOKEN_IDS);
        }
        return c.integers("eos_token_id").orElse(List.of());
    }

    /** {@code rope_scaling}: older files name the kind {@code "type"}, newer ones {@code "rope_type"}. */
    public static RopeScaling ropeScaling(ModelConfig c) throws CheckpointException {
        Optional<JsonObject> node = c.object("rope_scaling");
        if (node.isEmpty()) {
            return RopeScaling.NONE;
        }
        JsonObject scaling = node.get();
        Optional<JsonValue> kind = scaling.get("rope_type").or(() -> scaling.get("type"));
        if (kind.isEmpty() || !(kind.get() instanceof JsonString name)) {
            throw c.fail("rope_scaling needs \"rope_type\" (or \"type\") as a string");
        }
        return switch (name.value()) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling.Linear(positive(c, scaling, "factor"));
            case "llama3" -> new RopeScaling.Llama3(positive(c, scaling, "factor"), positive(c, scaling, "low_freq_factor"),
                    positive(c, scaling, "high_freq_factor"), (int) positive(c, scaling, "original_max_position_embeddings"));
            default -> throw c.fail("rope_scaling type '" + name.value() + "' is not supported; supported: default, linear, llama3");
        };
    }

    private static double positive(ModelConfig c, JsonObject scaling, String field) throws CheckpointException {
        Optional<JsonValue> value = scaling.get(field);
        if (value.isEmpty() || !(value.get() instanceof JsonNumber n) || !(n.doubleValue() > 0)) {
            throw c.fail("rope_scaling needs \"" + field + "\" as a positive number, got "
                    + value.map(JsonValue::kind).orElse("nothing"));
        }
        return n.doubleValue();
    }

    /** The shared keys of {@code spec}, as {@link #read} reads them back. */
    public static ModelConfig.Builder describe(ModelSpec spec, String origin, String hfClass, String modelType) {
        ModelConfig.Builder b = ModelConfig.builder(origin).architecture(hfClass, modelType)
                .put("hidden_size", spec.hiddenSize())
                .put("intermediate_size", spec.ffnSize())
                .put("num_hidden_layers", spec.layers())
                .put("num_attention_heads", spec.heads())
                .put("num_key_value_heads", spec.kvHeads())
                .put("head_dim", spec.headDim())
                .put("vocab_size", spec.vocabSize())
                .put("max_position_embeddings", spec.maxPositions())
                .put("rms_norm_eps", spec.normEps())
                .put("rope_theta", spec.ropeTheta())
                .put("tie_word_embeddings", spec.tiedEmbeddings());
        // no quantization_config: what a writer stores are the engine's canonical weights, already widened
        switch (spec.ropeScaling()) {
            case RopeScaling.None none -> { }
            case RopeScaling.Linear linear -> b.put("rope_scaling", object(Map.of("rope_type", new JsonString("linear"),
                    "factor", JsonNumber.of(linear.factor()))));
            case RopeScaling.Llama3 l3 -> {
                Map<String, JsonValue> m = new LinkedHashMap<>();
                m.put("rope_type", new JsonString("llama3"));
                m.put("factor", JsonNumber.of(l3.factor()));
                m.put("low_freq_factor", JsonNumber.of(l3.lowFreqFactor()));
                m.put("high_freq_factor", JsonNumber.of(l3.highFreqFactor()));
                m.put("original_max_position_embeddings", JsonNumber.of(l3.originalMaxPositions()));
                b.put("rope_scaling", new JsonObject(m));
            }
        }
        // explicit nulls: absent would mean the architecture's default ids
        b.put("bos_token_id", spec.bosTokenId() < 0 ? JsonValue.NULL : JsonNumber.of(spec.bosTokenId()));
        if (spec.eosTokenIds().isEmpty()) {
            b.put("eos_token_id", JsonValue.NULL);
        } else if (spec.eosTokenIds().size() == 1) {
            b.put("eos_token_id", spec.eosTokenIds().getFirst());
        } else {
            b.putIntegers("eos_token_id", spec.eosTokenIds());
        }
        b.put("sliding_window", spec.slidingWindow() > 0 ? JsonNumber.of(spec.slidingWindow()) : JsonValue.NULL);
        return b;
    }

    private static JsonObject object(Map<String, JsonValue> members) {
        return new JsonObject(new LinkedHashMap<>(members));
    }
}
