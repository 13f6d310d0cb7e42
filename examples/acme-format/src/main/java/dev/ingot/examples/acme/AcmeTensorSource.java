package dev.ingot.examples.acme;

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
 * acme's tensors: one raw little-endian file per tensor, each mapped once into a shared arena and
 * handed out as is (zero copy). The manifest has already checked every file's size.
 */
final class AcmeTensorSource implements TensorSource {

    private final Path folder;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final List<TensorInfo> infos;

    private AcmeTensorSource(Path folder, Arena arena, Map<String, Tensor> tensors) {
        this.folder = folder;
        this.arena = arena;
        this.tensors = tensors;
        this.infos = tensors.values().stream().map(Tensor::info).toList();
    }

    static AcmeTensorSource map(Path folder, AcmeManifest manifest) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (AcmeManifest.Entry entry : manifest.tensors()) {
                try (FileChannel channel = FileChannel.open(entry.file(), StandardOpenOption.READ)) {
                    MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, entry.info().byteSize(), arena);
                    tensors.put(entry.info().name(), new Tensor(entry.info(), data));
                }
            }
            return new AcmeTensorSource(folder, arena, tensors);
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
        Tensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new CheckpointException(folder + ": no tensor '" + name + "' in " + AcmeNames.MANIFEST);
        }
        if (!arena.scope().isAlive()) {
            throw new CheckpointException(folder + ": tensor '" + name + "' read after the checkpoint was closed");
        }
        return tensor;
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
