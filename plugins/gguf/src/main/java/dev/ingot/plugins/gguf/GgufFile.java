package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A GGUF file mapped once, its header parsed and its tensor layout checked. Closing it unmaps the
 * file, which invalidates every slice handed out from {@link #mapping()}.
 */
final class GgufFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final GgufHeader header;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufHeader header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
    }

    static GgufFile open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException(path + ": a GGUF checkpoint is a single .gguf file");
        }
        // A shared arena: the engine may read slices from any thread and close from another.
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment mapping = size == 0 ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufHeader header = GgufHeaderReader.read(path, mapping);
            GgufLayoutCheck.check(path, header, size);
            return new GgufFile(path, arena, mapping, header);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    GgufHeader header() {
        return header;
    }

    MemorySegment mapping() {
        return mapping;
    }

    boolean isOpen() {
        return arena.scope().isAlive();
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
