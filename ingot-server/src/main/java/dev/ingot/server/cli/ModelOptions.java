package dev.ingot.server.cli;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.kv.KvCacheConfig;
import dev.ingot.engine.kv.KvDtype;
import dev.ingot.engine.plugin.PluginConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every command that opens a checkpoint shares. */
public final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Checkpoint file or folder.")
    Path model;

    @Option(names = "--format", paramLabel = "NAME[@PLUGIN]",
            description = "Checkpoint format (default: detected). NAME@PLUGIN picks the plugin when several provide NAME.")
    String format;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "Tokenizer file to use instead of the checkpoint's own.")
    Path tokenizer;

    @Mixin
    PluginOptions plugins = new PluginOptions();

    @Option(names = "--threads", paramLabel = "N", description = "Kernel threads (default: one per core).")
    int threads;

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0",
            description = "Store the model's matrices quantized, whatever the checkpoint holds (GGML Q8_0 or Q4_0, computed in"
                    + " place by the kernels); live updates in other types are quantized as they are staged.")
    String quantize;

    @Option(names = "--weights-version", paramLabel = "N", defaultValue = "1",
            description = "Version number the loaded weights are served as (default: ${DEFAULT-VALUE}).")
    long initialVersion;

    @Option(names = "--kv-cache-dtype", paramLabel = "f32|bf16", defaultValue = "f32",
            description = "How the KV cache stores keys and values (default: ${DEFAULT-VALUE}; bf16 halves its memory).")
    String kvCacheDtype;

    @Option(names = "--kv-cache-bytes", paramLabel = "N[K|M|G]",
            description = "Most memory the KV cache may take, off the heap (default: half the physical memory free at start,"
                    + " at least 64M). Requests wait for room; running sequences are preempted and recomputed rather than exceed it.")
    String kvCacheBytes;

    @Option(names = "--kv-cache-preallocate",
            description = "Allocate the whole KV budget at start-up, as vLLM and llama.cpp reserve their cache, so no step pays"
                    + " for zeroing and faulting in fresh blocks (best with --kv-cache-bytes sized to the work: it commits all of it).")
    boolean kvCachePreallocate;

    /** The KV cache the flags ask for. */
    public KvCacheConfig kvCacheConfig() {
        KvDtype dtype = KvDtype.parse(kvCacheDtype);
        KvCacheConfig budget = kvCacheBytes == null ? KvCacheConfig.withDefaultBudget(dtype) : new KvCacheConfig(dtype, parseBytes(kvCacheBytes));
        return budget.withPreallocation(kvCachePreallocate);
    }

    static long parseBytes(String text) {
        String t = text.strip().toUpperCase(java.util.Locale.ROOT);
        int shift = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, 1L << shift);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--kv-cache-bytes must be a positive number of bytes, optionally with K, M or G, got '"
                    + text + "'");
        }
    }

    public LoadOptions toLoadOptions() {
        return new LoadOptions(model, formatName(format), Optional.ofNullable(tokenizer), pluginConfig(), threads,
                initialVersion, quantizeType());
    }

    private Optional<dev.ingot.spi.tensor.DType> quantizeType() {
        if (quantize == null) {
            return Optional.empty();
        }
        return switch (quantize.toLowerCase(java.util.Locale.ROOT)) {
            case "q8_0" -> Optional.of(dev.ingot.spi.tensor.DType.Q8_0);
            case "q4_0" -> Optional.of(dev.ingot.spi.tensor.DType.Q4_0);
            default -> throw new IllegalArgumentException("--quantize takes q8_0 or q4_0, not '" + quantize + "'");
        };
    }

    /** Plugin settings: {@code --plugins}, {@code --plugins-enabled}, {@code INGOT_PLUGIN_PATH}, and a NAME@PLUGIN choice. */
    public PluginConfig pluginConfig() {
        return plugins.config(System::getenv).withFormatOption(format);
    }

    /** The format name of a {@code --format NAME[@PLUGIN]} value. */
    static Optional<String> formatName(String format) {
        return Optional.ofNullable(format).map(f -> f.contains("@") ? f.substring(0, f.indexOf('@')) : f);
    }
}
