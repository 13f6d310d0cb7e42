package dev.ingot.plugins.llama2c;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of one llama2.c file: the file is mapped once, each tensor is a zero-copy slice of
 * that mapping. Closing the source unmaps the file, which invalidates every slice handed out.
 */
final class Llama2cTensorSource implements TensorSource {

    private final Path file;
    private final Arena arena;
    private final MemorySegment mapping;
    private final Map<String, Llama2cLayout.Placed> byName = new LinkedHashMap<>();
    private final List<TensorInfo> infos;

    private Llama2cTensorSource(Path file, Arena arena, MemorySegment mapping, Llama2cLayout layout) {
        this.file = file;
        this.arena = arena;
        this.mapping = mapping;
        List<Llama2cLayout.Placed> placed = layout.tensors();
        for (Llama2cLayout.Placed tensor : placed) {
            byName.put(tensor.info().name(), tensor);
        }
        this.infos = placed.stream().map(Llama2cLayout.Placed::info).toList();
    }

    /** Maps {@code file}, whose size the caller has already checked against {@code layout}. */
    static Llama2cTensorSource map(Path file, Llama2cLayout layout) throws IOException {
        // A shared arena: the engine may read slices from any thread and close from another.
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, layout.fileSize(), arena);
            return new Llama2cTensorSource(file, arena, mapping, layout);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public List<TensorInfo> list() {
        return infos;
    }

    @Override
    public Tensor read(String name) throws IOException {
        Llama2cLayout.Placed placed = byName.get(name);
        if (placed == null) {
            throw new CheckpointException(file + ": no tensor '" + name + "' in this llama2.c checkpoint");
        }
        if (!arena.scope().isAlive()) {
            throw new CheckpointException(file + ": tensor '" + name + "' read after the checkpoint was closed");
        }
        return new Tensor(placed.info(), mapping.asSlice(placed.offset(), placed.info().byteSize()));
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
