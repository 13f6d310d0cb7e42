package dev.ingot.tck.acme;

import dev.ingot.tck.Rule;

/**
 * Deliberately broken variants of the acme example, one per rule: acme's own classes, unchanged,
 * behind a plugin whose format wraps {@code AcmeFormat} and breaks exactly one thing.
 */
enum BrokenAcme {

    DETECT_THROWS(Rule.DET_1, "detect threw", """
            Detection d = acme.detect(location, engine);
            if (!d.matches()) {
                throw new IllegalStateException("not an acme folder: " + location);
            }
            return d;""", BrokenAcme.DEFAULT_MAPPER, BrokenAcme.DEFAULT_WRITER, ""),

    MAPPER_SKIPS_A_WEIGHT(Rule.OPEN_3, "no tensor maps to 'model.layers.1.post_attention_layernorm.weight'", BrokenAcme.DEFAULT_DETECT, """
            WeightMapper m = acme.mapper(spec);
            return info -> info.name().equals("blk.1.norm2") ? TensorMapping.skip("not needed, surely") : m.map(info);""",
            BrokenAcme.DEFAULT_WRITER, ""),

    WRONG_SHAPE(Rule.OPEN_4, "of shape [172, 64], but the model needs [64, 172]", BrokenAcme.DEFAULT_DETECT, """
            WeightMapper m = acme.mapper(spec);
            // forgets that acme stores mlp.down transposed
            return info -> info.name().endsWith(".mlp.down")
                    ? TensorMapping.to(info.name().replace("blk.", "model.layers.").replace(".mlp.down", ".mlp.down_proj.weight"))
                    : m.map(info);""", BrokenAcme.DEFAULT_WRITER, ""),

    UPDATE_MAPPER_DIFFERS(Rule.CONS_1, "served after the update as model.layers.0.self_attn.k_proj.weight F32[32, 64] with different bytes", BrokenAcme.DEFAULT_DETECT, """
            if (seen.add(spec)) {
                return acme.mapper(spec); // the first mapper for a model: the load's
            }
            // asked again for the same model (an update): a "cached" mapper that lost the RoPE permutation
            WeightMapper m = acme.mapper(spec);
            return info -> m.map(info) instanceof TensorMapping.Mapped mapped
                    ? new TensorMapping.Mapped(mapped.targets().stream().map(t -> new TensorMapping.Target(t.canonicalName(),
                            t.ops().stream().filter(op -> !(op instanceof TensorOp.RopeInterleavedToHalves)).toList())).toList())
                    : m.map(info);""", BrokenAcme.DEFAULT_WRITER, ""),

    WRITER_LOSES_BITS(Rule.CONS_2, "differs after the round trip", BrokenAcme.DEFAULT_DETECT, BrokenAcme.DEFAULT_MAPPER, """
            // "saves space": stores everything as bf16 by cutting off the low mantissa bits
            return acme.writer().map(w -> (location, spec, config, canonical) -> {
                Map<String, Tensor> bf16 = new LinkedHashMap<>();
                canonical.forEach((name, t) -> {
                    long n = t.info().shape().elementCount();
                    MemorySegment out = Arena.ofAuto().allocate(2 * n, 2);
                    for (long i = 0; i < n; i++) {
                        int bits = Float.floatToRawIntBits(t.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
                        out.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (bits >>> 16));
                    }
                    bf16.put(name, new Tensor(new TensorInfo(name, DType.BF16, t.info().shape()), out));
                });
                w.write(location, spec, config, bf16);
            });""", ""),

    LEAKS_ENGINE_TYPES(Rule.LOAD_2, "references dev.ingot.engine.services.Services", BrokenAcme.DEFAULT_DETECT, BrokenAcme.DEFAULT_MAPPER,
            BrokenAcme.DEFAULT_WRITER, """
            /** A shortcut its author thought handy; it links against the engine, which plugins cannot see. */
            final class EngineShortcut {
                static Object services() {
                    return new dev.ingot.engine.services.Services();
                }
            }""");

    static final String DEFAULT_DETECT = "return acme.detect(location, engine);";
    static final String DEFAULT_MAPPER = "return acme.mapper(spec);";
    static final String DEFAULT_WRITER = "return acme.writer();";

    static final String PACKAGE = "dev.ingot.examples.acme.broken";

    final Rule rule;
    final String message;
    private final String detect;
    private final String mapper;
    private final String writer;
    private final String extra;

    BrokenAcme(Rule rule, String message, String detect, String mapper, String writer, String extra) {
        this.rule = rule;
        this.message = message;
        this.detect = detect;
        this.mapper = mapper;
        this.writer = writer;
        this.extra = extra;
    }

    boolean needsEngineClasses() {
        return !extra.isEmpty();
    }

    /** The source of the variant's plugin class and its wrapping format. */
    String source() {
        return """
                package %s;

                import dev.ingot.examples.acme.AcmeFormat;
                import dev.ingot.spi.IngotPlugin;
                import dev.ingot.spi.engine.EngineServices;
                import dev.ingot.spi.format.*;
                import dev.ingot.spi.mapping.*;
                import dev.ingot.spi.model.ModelSpec;
                import dev.ingot.spi.tensor.*;
                import java.io.IOException;
                import java.lang.foreign.*;
                import java.nio.file.Path;
                import java.util.*;

                public final class BrokenPlugin implements IngotPlugin {
                    public String name() { return "acme"; }
                    public String version() { return "broken"; }
                    public String spiVersion() { return IngotPlugin.SPI_VERSION; }
                    public List<CheckpointFormat> formats() { return List.of(new BrokenFormat()); }
                }

                final class BrokenFormat implements CheckpointFormat {
                    private final AcmeFormat acme = new AcmeFormat();
                    private final Set<ModelSpec> seen = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

                    public String name() { return acme.name(); }
                    public String description() { return acme.description(); }
                    public Detection detect(Path location, EngineServices engine) throws IOException {
                        %s
                    }
                    public Checkpoint open(Path location, EngineServices engine) throws IOException {
                        return acme.open(location, engine);
                    }
                    public WeightMapper mapper(ModelSpec spec) {
                        %s
                    }
                    public Optional<CheckpointWriter> writer() {
                        %s
                    }
                }
                %s
                """.formatted(PACKAGE, detect, mapper, writer, extra);
    }
}
