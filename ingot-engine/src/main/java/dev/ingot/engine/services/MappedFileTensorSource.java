package dev.ingot.engine.services;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.MappedTensor;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A file mapped once, its tensors served as zero-copy slices at the offsets a format's own header
 * gave. Every entry is checked against the file before anything is read: inside it, no two
 * overlapping, no name twice, so a lying header is one clear error rather than garbage weights.
 */
final class MappedFileTensorSource implements TensorSource {

    private final Path file;
    private final Arena arena;
    private final MemorySegment mapped;
    private final Map<String, MappedTensor> entries;
    private final List<TensorInfo> list;

    private MappedFileTensorSource(Path file, Arena arena, MemorySegment mapped, Map<String, MappedTensor> entries) {
        this.file = file;
        this.arena = arena;
        this.mapped = mapped;
        this.entries = entries;
        this.list = entries.values().stream().map(MappedTensor::info).toList();
    }

    static MappedFileTensorSource open(Path file, List<MappedTensor> tensors) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                mapped = channel.size() == 0 ? MemorySegment.NULL.reinterpret(0)
                        : channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            }
            return new MappedFileTensorSource(file, arena, mapped, checked(file, mapped.byteSize(), tensors));
        } catch (NoSuchFileException e) {
            arena.close();
            throw new CheckpointException(file + ": no such file", e);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, MappedTensor> checked(Path file, long fileSize, List<MappedTensor> tensors) throws CheckpointException {
        Map<String, MappedTensor> byName = new LinkedHashMap<>();
        for (MappedTensor t : tensors) {
            long size;
            try {
                size = t.info().byteSize();
            } catch (ArithmeticException e) {
                throw new CheckpointException(file + ": tensor '" + t.info().name() + "' " + t.info().shape() + " is too large");
            }
            if (t.offset() > fileSize || size > fileSize - t.offset()) {
                throw new CheckpointException(file + ": tensor '" + t.info().name() + "' needs bytes [" + t.offset() + ", "
                        + (t.offset() + size) + ") but the file has " + fileSize + " (truncated?)");
            }
            if (byName.putIfAbsent(t.info().name(), t) != null) {
                throw new CheckpointException(file + ": tensor '" + t.info().name() + "' is listed twice");
            }
        }
        List<MappedTensor> byOffset = new ArrayList<>(byName.values());
        byOffset.sort(Comparator.comparingLong(MappedTensor::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            MappedTensor before = byOffset.get(i - 1);
            MappedTensor t = byOffset.get(i);
            if (before.info().byteSize() > 0 && before.offset() + before.info().byteSize() > t.offset()) {
                throw new CheckpointException(file + ": tensors '" + before.info().name() + "' and '" + t.info().name()
                        + "' overlap");
            }
        }
        return byName;
    }

    @Override
    public List<TensorInfo> list() {
        return list;
    }

    @Override
    public Optional<TensorInfo> info(String name) {
        return Optional.ofNullable(entries.get(name)).map(MappedTensor::info);
    }

    @Override
    public Tensor read(String name) throws IOException {
        MappedTensor t = entries.get(name);
        if (t == null) {
            throw new CheckpointException(file + ": no tensor named '" + name + "'");
        }
        return new Tensor(t.info(), mapped.asSlice(t.offset(), t.info().byteSize()));
    }

    @Override
    public void close() {
        arena.close();
    }
}
