package dev.ingot.engine.safetensors;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A safetensors file mapped once, read-only, into a shared arena. Tensors are zero-copy slices of
 * that mapping, valid (from any thread) until {@link #close()} releases it. Slices are byte-aligned
 * only as the file lays them out, so readers use unaligned layouts.
 */
public final class SafetensorsFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapped;
    private final SafetensorsHeader header;
    private final Map<String, SafetensorsEntry> byName = new HashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapped, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.mapped = mapped;
        this.header = header;
        header.entries().forEach(e -> byName.put(e.name(), e));
    }

    /** Maps and validates {@code path} with the default header limit. */
    public static SafetensorsFile open(Path path) throws IOException {
        return open(path, SafetensorsHeader.DEFAULT_MAX_HEADER_BYTES);
    }

    public static SafetensorsFile open(Path path, long maxHeaderBytes) throws IOException {
        String source = path.toString();
        if (!Files.exists(path)) {
            throw new CheckpointException(source + ": no such file");
        }
        if (!Files.isRegularFile(path)) {
            throw new CheckpointException(source + ": not a regular file");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapped;
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = channel.size();
                if (size < SafetensorsHeader.LENGTH_PREFIX_BYTES) {
                    throw new CheckpointException(source + ": truncated: " + size
                            + " bytes, but a safetensors file starts with an 8-byte header length");
                }
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            SafetensorsHeader header = readHeader(source, mapped, maxHeaderBytes);
            return new SafetensorsFile(path, arena, mapped, header);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new CheckpointException(source + ": no such file", e);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static SafetensorsHeader readHeader(String source, MemorySegment file, long maxHeaderBytes) throws CheckpointException {
        long length = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        SafetensorsHeader.requireLengthWithin(source, length, maxHeaderBytes);
        long afterPrefix = file.byteSize() - SafetensorsHeader.LENGTH_PREFIX_BYTES;
        if (length > afterPrefix) {
            throw new CheckpointException(source + ": truncated: header length " + length + " runs past the end of the file ("
                    + file.byteSize() + " bytes)");
        }
        MemorySegment json = file.asSlice(SafetensorsHeader.LENGTH_PREFIX_BYTES, length);
        SafetensorsHeader header = SafetensorsHeader.parse(source, json.asByteBuffer());
        header.requireDataSize(afterPrefix - length);
        return header;
    }

    public Path path() {
        return path;
    }

    public SafetensorsHeader header() {
        return header;
    }

    /** Every tensor, in file (offset) order. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    public Optional<SafetensorsEntry> entry(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** A zero-copy view of the named tensor's bytes. */
    public Tensor read(String name) throws CheckpointException {
        SafetensorsEntry entry = byName.get(name);
        if (entry == null) {
            throw new CheckpointException(path + ": no tensor named '" + name + "'");
        }
        return read(entry);
    }

    /** A zero-copy view of {@code entry}'s bytes; the entry must come from this file's header. */
    public Tensor read(SafetensorsEntry entry) throws CheckpointException {
        if (closed.get()) {
            throw new CheckpointException(path + ": closed; cannot read tensor '" + entry.name() + "'");
        }
        return new Tensor(entry.info(), mapped.asSlice(header.dataStart() + entry.begin(), entry.byteSize()));
    }

    /** Unmaps the file; every view handed out becomes invalid. Closing twice does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }
}
