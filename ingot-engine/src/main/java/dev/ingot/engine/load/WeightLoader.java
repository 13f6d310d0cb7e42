package dev.ingot.engine.load;

import dev.ingot.engine.plugin.PluginFailureException;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.mapping.TensorOp;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a source's native tensors into canonical ones through a mapper. Tensors already in the
 * engine's layout stay views of the source (zero copy); only what the mapper transforms is written,
 * into {@code arena}.
 */
public final class WeightLoader {

    private WeightLoader() {}

    /** Maps every tensor of {@code source} into {@code into}; {@code where} names the checkpoint in messages. */
    public static void loadAll(TensorSource source, WeightMapper mapper, CanonicalWeightSet into, Arena arena, String where)
            throws IOException {
        for (TensorInfo info : source.list()) {
            List<TensorMapping.Target> targets = targets(mapper, info, where, into);
            if (targets.isEmpty()) {
                continue;
            }
            Tensor nativeTensor = source.read(info.name());
            for (Tensor canonical : transform(nativeTensor, targets, arena, where)) {
                into.put(canonical, origin(info, where));
            }
        }
    }

    /** What the mapper makes of one native tensor: an empty list for skipped tensors, an error for unknown ones. */
    public static List<TensorMapping.Target> targets(WeightMapper mapper, TensorInfo info, String where, CanonicalWeightSet rules)
            throws CheckpointException {
        TensorMapping mapping;
        try {
            mapping = mapper.map(info);
        } catch (PluginFailureException e) {
            throw new CheckpointException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CheckpointException(origin(info, where) + ": the mapper failed: " + e, e);
        }
        return switch (mapping) {
            case TensorMapping.Skipped skipped -> List.of();
            case TensorMapping.Unknown unknown -> throw new CheckpointException(origin(info, where)
                    + " is not a tensor this format knows" + (unknown.hint().isEmpty() ? "" : " (" + unknown.hint() + ")"));
            case TensorMapping.Mapped mapped -> {
                for (TensorInfo declared : describe(info, mapped.targets(), where)) {
                    rules.checkArrivingType(declared, origin(info, where));
                }
                yield withStorableType(mapped.targets(), info, rules.keepsFp8AsStored());
            }
        };
    }

    /** Canonical descriptions of the targets, for checking before data is read. */
    public static List<TensorInfo> describe(TensorInfo nativeInfo, List<TensorMapping.Target> targets, String where)
            throws CheckpointException {
        List<TensorInfo> infos = new ArrayList<>();
        for (TensorMapping.Target target : targets) {
            try {
                infos.add(TensorTransformer.describe(nativeInfo, target.ops(), target.canonicalName()));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(origin(nativeInfo, where) + ": " + e.getMessage(), e);
            }
        }
        return infos;
    }

    public static List<Tensor> transform(Tensor nativeTensor, List<TensorMapping.Target> targets, Arena arena, String where)
            throws CheckpointException {
        List<Tensor> out = new ArrayList<>(targets.size());
        for (TensorMapping.Target target : targets) {
            try {
                out.add(TensorTransformer.apply(nativeTensor, target.ops(), target.canonicalName(), arena));
            } catch (CheckpointException e) {
                throw new CheckpointException(origin(nativeTensor.info(), where) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Floating-point tensors in a type the engine does not compute with yet (F64, FP8, GGML quantized
     * types) get a conversion to F32 appended, so formats hand tensors over as stored and need not
     * declare the obvious.
     */
    private static List<TensorMapping.Target> withStorableType(List<TensorMapping.Target> targets, TensorInfo info,
            boolean keepFp8) {
        List<TensorMapping.Target> result = new ArrayList<>(targets.size());
        for (TensorMapping.Target target : targets) {
            TensorInfo described;
            try {
                described = TensorTransformer.describe(info, target.ops(), target.canonicalName());
            } catch (IllegalArgumentException e) {
                result.add(target);
                continue;
            }
            boolean fp8Kept = keepFp8 && Fp8Weights.isFp8(described.dtype());
            if (!TensorTransformer.isStorable(described.dtype()) && ElementConversion.canRead(described.dtype()) && !fp8Kept) {
                List<TensorOp> ops = new ArrayList<>(target.ops());
                ops.add(new TensorOp.Convert(DType.F32));
                result.add(new TensorMapping.Target(target.canonicalName(), ops));
            } else {
                result.add(target);
            }
        }
        return result;
    }

    static String origin(TensorInfo info, String where) {
        return "tensor '" + info.name() + "' of " + where;
    }
}
