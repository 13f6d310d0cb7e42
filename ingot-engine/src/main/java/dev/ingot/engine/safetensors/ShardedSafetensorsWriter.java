package dev.ingot.engine.safetensors;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes tensors as a Hugging Face sharded checkpoint: {@code model-00001-of-0000N.safetensors}
 * files of at most {@code maxShardBytes} of tensor data each (a tensor larger than that gets a shard
 * of its own), plus {@code model.safetensors.index.json} mapping every tensor to its shard.
 */
public final class ShardedSafetensorsWriter {

    private final long maxShardBytes;
    private final Map<String, String> metadata;

    public ShardedSafetensorsWriter(long maxShardBytes, Map<String, String> metadata) {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("max shard bytes must be positive, got " + maxShardBytes);
        }
        this.maxShardBytes = maxShardBytes;
        this.metadata = Map.copyOf(metadata);
    }

    /** Writes the shards and the index into {@code folder}; returns the shard files, in order, then the index. */
    public List<Path> write(Path folder, List<Tensor> tensors) throws IOException {
        List<List<Tensor>> shards = split(tensors);
        Files.createDirectories(folder);
        ObjectNode index = JsonNodeFactory.instance.objectNode();
        ObjectNode weightMap = JsonNodeFactory.instance.objectNode();
        long totalSize = 0;
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = "model-%05d-of-%05d.safetensors".formatted(i + 1, shards.size());
            SafetensorsWriter shard = new SafetensorsWriter().metadata(metadata).addAll(shards.get(i));
            shard.writeTo(folder.resolve(name));
            written.add(folder.resolve(name));
            for (Tensor tensor : shards.get(i)) {
                weightMap.put(tensor.name(), name);
                totalSize += tensor.info().byteSize();
            }
        }
        index.putObject("metadata").put("total_size", totalSize);
        index.set("weight_map", weightMap);
        Path indexFile = folder.resolve(SafetensorsIndex.FILE_NAME);
        Files.writeString(indexFile, index.toPrettyString());
        written.add(indexFile);
        return written;
    }

    private List<List<Tensor>> split(List<Tensor> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("a sharded checkpoint needs at least one tensor");
        }
        List<List<Tensor>> shards = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long currentBytes = 0;
        for (Tensor tensor : tensors) {
            long size = tensor.info().byteSize();
            if (!current.isEmpty() && currentBytes + size > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(tensor);
            currentBytes += size;
        }
        shards.add(current);
        return shards;
    }
}
