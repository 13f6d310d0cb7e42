package dev.ingot.engine.safetensors;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tensors of one safetensors file or of a sharded set, as zero-copy views of the mapped files.
 * Listing order is file order: shards in name order, tensors by offset within each.
 */
public final class SafetensorsTensorSource implements TensorSource {

    private record Located(SafetensorsFile file, SafetensorsEntry entry) {}

    private final List<SafetensorsFile> files;
    private final Map<String, Located> tensors;
    private final List<TensorInfo> list;

    private SafetensorsTensorSource(List<SafetensorsFile> files, Map<String, Located> tensors) {
        this.files = List.copyOf(files);
        this.tensors = tensors;
        this.list = tensors.values().stream().map(l -> l.entry().info()).toList();
    }

    /** A {@code .safetensors} file, or a sharded set given by its {@code *.index.json}. */
    public static SafetensorsTensorSource open(Path path) throws IOException {
        return path.getFileName().toString().endsWith(".index.json") ? openIndex(path) : openFile(path);
    }

    public static SafetensorsTensorSource openFile(Path file) throws IOException {
        SafetensorsFile opened = SafetensorsFile.open(file);
        Map<String, Located> tensors = new LinkedHashMap<>();
        opened.header().entries().forEach(e -> tensors.put(e.name(), new Located(opened, e)));
        return new SafetensorsTensorSource(List.of(opened), tensors);
    }

    /** Several files as one source, in the order given; a tensor name in two files is an error. */
    public static SafetensorsTensorSource openFiles(List<Path> paths) throws IOException {
        if (paths.isEmpty()) {
            throw new CheckpointException("no safetensors files given");
        }
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, Located> tensors = new LinkedHashMap<>();
            for (Path path : paths) {
                SafetensorsFile file = SafetensorsFile.open(path);
                opened.add(file);
                for (SafetensorsEntry entry : file.header().entries()) {
                    Located earlier = tensors.putIfAbsent(entry.name(), new Located(file, entry));
                    if (earlier != null) {
                        throw new CheckpointException(path + ": tensor '" + entry.name() + "' is also in "
                                + earlier.file().path().getFileName());
                    }
                }
            }
            return new SafetensorsTensorSource(opened, tensors);
        } catch (IOException | RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /**
     * Opens every shard of the index once and checks that the index and the shards agree: each
     * listed tensor is in its shard, and no tensor sits in two shards or in a shard the index does
     * not name for it.
     */
    public static SafetensorsTensorSource openIndex(Path indexFile) throws IOException {
        SafetensorsIndex index = SafetensorsIndex.read(indexFile);
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (String shardName : index.shardNames()) {
                Path shard = index.folder().resolve(shardName);
                if (!Files.isRegularFile(shard)) {
                    throw new CheckpointException(indexFile + ": shard '" + shardName + "' named in weight_map does not exist in "
                            + index.folder());
                }
                opened.add(SafetensorsFile.open(shard));
            }
            return new SafetensorsTensorSource(opened, locate(index, opened));
        } catch (IOException | RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, Located> locate(SafetensorsIndex index, List<SafetensorsFile> shards) throws CheckpointException {
        Map<String, Located> tensors = new LinkedHashMap<>();
        for (SafetensorsFile shard : shards) {
            String shardName = shard.path().getFileName().toString();
            for (SafetensorsEntry entry : shard.header().entries()) {
                Located earlier = tensors.putIfAbsent(entry.name(), new Located(shard, entry));
                if (earlier != null) {
                    throw new CheckpointException(index.file() + ": tensor '" + entry.name() + "' appears in two shards: "
                            + earlier.file().path().getFileName() + " and " + shardName);
                }
                String listed = index.weightMap().get(entry.name());
                if (listed == null) {
                    throw new CheckpointException(index.file() + ": tensor '" + entry.name() + "' in shard " + shardName
                            + " is missing from weight_map");
                }
                if (!listed.equals(shardName)) {
                    throw new CheckpointException(index.file() + ": tensor '" + entry.name() + "' is in shard " + shardName
                            + " but weight_map places it in " + listed);
                }
            }
        }
        for (Map.Entry<String, String> listed : index.weightMap().entrySet()) {
            if (!tensors.containsKey(listed.getKey())) {
                throw new CheckpointException(index.file() + ": weight_map places tensor '" + listed.getKey() + "' in shard "
                        + listed.getValue() + ", which has no such tensor");
            }
        }
        return tensors;
    }

    /** The mapped files, in shard order. */
    public List<SafetensorsFile> files() {
        return files;
    }

    @Override
    public List<TensorInfo> list() {
        return list;
    }

    @Override
    public Optional<TensorInfo> info(String name) {
        return Optional.ofNullable(tensors.get(name)).map(l -> l.entry().info());
    }

    @Override
    public Tensor read(String name) throws IOException {
        Located located = tensors.get(name);
        if (located == null) {
            throw new CheckpointException(files.getFirst().path() + (files.size() > 1 ? " (and other shards)" : "")
                    + ": no tensor named '" + name + "'");
        }
        return located.file().read(located.entry());
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
