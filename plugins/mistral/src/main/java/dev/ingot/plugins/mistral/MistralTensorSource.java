package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of all of a checkpoint's safetensors files, each file mapped once into one shared
 * arena and every tensor a zero-copy slice. Closing the source unmaps everything.
 */
final class MistralTensorSource implements TensorSource {

    private record Located(SafetensorsFile file, SafetensorsFile.Entry entry) {}

    private final Path folder;
    private final Arena arena;
    private final Map<String, Located> byName;
    private final List<TensorInfo> infos;

    private MistralTensorSource(Path folder, Arena arena, Map<String, Located> byName) {
        this.folder = folder;
        this.arena = arena;
        this.byName = byName;
        this.infos = byName.values().stream().map(l -> l.entry().info()).toList();
    }

    /** Maps every shard; a tensor in two shards, or not where the index says, is an error naming both. */
    static MistralTensorSource open(Path folder, MistralShards shards) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            Map<String, Located> byName = new LinkedHashMap<>();
            for (Path path : shards.files()) {
                SafetensorsFile file = SafetensorsFile.map(path, arena);
                for (SafetensorsFile.Entry entry : file.entries()) {
                    String name = entry.info().name();
                    Located earlier = byName.putIfAbsent(name, new Located(file, entry));
                    if (earlier != null) {
                        throw new CheckpointException(path + ": tensor '" + name + "' is also in " + earlier.file().file().getFileName());
                    }
                    String indexed = shards.weightMap().get(name);
                    if (!shards.weightMap().isEmpty() && !path.getFileName().toString().equals(indexed)) {
                        throw new CheckpointException(path + ": tensor '" + name + "' is not where "
                                + MistralShards.INDEX + " puts it (" + (indexed == null ? "not listed" : indexed) + ")");
                    }
                }
            }
            for (String name : shards.weightMap().keySet()) {
                if (!byName.containsKey(name)) {
                    throw new CheckpointException(folder.resolve(shards.weightMap().get(name)) + ": tensor '" + name
                            + "' is listed in " + MistralShards.INDEX + " but not in the file");
                }
            }
            return new MistralTensorSource(folder, arena, byName);
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
        Located located = byName.get(name);
        if (located == null) {
            throw new CheckpointException(folder + ": no tensor '" + name + "' in this Mistral checkpoint");
        }
        if (!arena.scope().isAlive()) {
            throw new CheckpointException(folder + ": tensor '" + name + "' read after the checkpoint was closed");
        }
        return located.file().read(located.entry());
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
