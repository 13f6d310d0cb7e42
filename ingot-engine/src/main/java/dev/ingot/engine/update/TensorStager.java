package dev.ingot.engine.update;

import dev.ingot.engine.load.ElementConversion;
import dev.ingot.engine.load.TensorTransformer;
import dev.ingot.engine.load.WeightLoader;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.mapping.TensorOp;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.Checksum;

/**
 * Turns one native tensor into the canonical tensors the served model keeps, in the type each is
 * served in, written into a staging arena. Streamed tensors whose layout is already canonical are
 * read straight into their final place, so no tensor is held twice.
 */
final class TensorStager {

    /** The type each canonical tensor is served in: an update never changes it. */
    private final Map<String, DType> servedTypes;

    TensorStager(Map<String, DType> servedTypes) {
        this.servedTypes = Map.copyOf(servedTypes);
    }

    /** What a native tensor becomes: the mapper's targets and their canonical descriptions (before type conversion). */
    record Plan(TensorInfo nativeInfo, List<TensorMapping.Target> targets, List<TensorInfo> canonical) {

        boolean skipped() {
            return targets.isEmpty();
        }
    }

    /** The type {@code canonical} is stored in. */
    DType servedType(TensorInfo canonical) {
        return servedTypes.getOrDefault(canonical.name(), canonical.dtype());
    }

    /** Copies (and maps) a tensor held by the caller into {@code arena}. */
    List<Tensor> stage(Tensor nativeTensor, Plan plan, Arena arena, String where) throws CheckpointException {
        List<Tensor> out = new ArrayList<>(plan.targets().size());
        for (Tensor mapped : WeightLoader.transform(nativeTensor, plan.targets(), arena, where)) {
            out.add(inArenaAndServedType(mapped, arena));
        }
        return out;
    }

    /**
     * Reads exactly {@code plan.nativeInfo().byteSize()} bytes from {@code in} (adding them to
     * {@code crc}) and stages the result; throws {@link EOFException} when the stream ends early.
     */
    List<Tensor> stage(Plan plan, ReadableByteChannel in, Checksum crc, StagingArena arena, String where) throws IOException {
        TensorInfo nativeInfo = plan.nativeInfo();
        long size = nativeInfo.byteSize();
        if (plan.skipped()) {
            requireAll(SegmentChannels.skip(in, size, crc), size);
            return List.of();
        }
        if (readsInPlace(plan)) {
            // Views of the received bytes are the canonical tensors: receive them where they will stay.
            // Every byte is overwritten (or the bucket is dropped), so recycled memory need not be cleared first.
            MemorySegment bytes = arena.allocateForOverwrite(size, 64);
            requireAll(SegmentChannels.readFully(in, bytes, crc), size);
            return stage(new Tensor(nativeInfo, bytes), plan, arena, where);
        }
        // The mapper rewrites the bytes (transpose, permute, convert): receive them into scratch memory
        // that is freed as soon as the rewritten tensors are in the staging arena.
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment bytes = allocate(scratch, size);
            requireAll(SegmentChannels.readFully(in, bytes, crc), size);
            return stage(new Tensor(nativeInfo, bytes), plan, arena, where);
        }
    }

    private boolean readsInPlace(Plan plan) {
        for (int i = 0; i < plan.targets().size(); i++) {
            for (TensorOp op : plan.targets().get(i).ops()) {
                if (!(op instanceof TensorOp.Reshape || op instanceof TensorOp.SliceRows)) {
                    return false;
                }
            }
            if (servedType(plan.canonical().get(i)) != plan.canonical().get(i).dtype()) {
                return false;
            }
        }
        return true;
    }

    private Tensor inArenaAndServedType(Tensor mapped, Arena arena) throws CheckpointException {
        DType want = servedType(mapped.info());
        TensorInfo info = new TensorInfo(mapped.name(), want, mapped.info().shape());
        if (want == mapped.info().dtype()) {
            if (mapped.data().scope().equals(arena.scope())) {
                return mapped;
            }
            MemorySegment copy = allocate(arena, info.byteSize());
            copy.copyFrom(mapped.data());
            return new Tensor(info, copy);
        }
        // into the served type: widened, narrowed, or quantized (a BF16 update into a Q8_0 model) as the load would
        return TensorTransformer.apply(mapped, List.of(new TensorOp.Convert(want)), mapped.name(), arena);
    }

    /** 64-byte aligned, as the load's own copies are, so kernels start rows on vector boundaries. */
    private static MemorySegment allocate(Arena arena, long size) {
        return arena.allocate(size, 64);
    }

    private static void requireAll(long got, long want) throws EOFException {
        if (got < want) {
            throw new EOFException("the data ended after " + got + " of its " + want + " bytes");
        }
    }
}
