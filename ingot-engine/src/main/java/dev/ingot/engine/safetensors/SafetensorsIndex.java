package dev.ingot.engine.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sharded checkpoint's {@code model.safetensors.index.json}: which shard file holds each tensor.
 *
 * Its {@code "metadata"} object (e.g. {@code total_size}) is informational: only its type is checked.
 *
 * @param file       the index file
 * @param weightMap  tensor name to shard file name, in the index's order
 */
public record SafetensorsIndex(Path file, Map<String, String> weightMap) {

    public static final String FILE_NAME = "model.safetensors.index.json";

    public SafetensorsIndex {
        weightMap = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
    }

    public static SafetensorsIndex read(Path file) throws IOException {
        JsonNode root = StrictJson.readObjectFile(file);
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new CheckpointException(file + ": \"weight_map\" must be an object of tensor name to shard file, got "
                    + StrictJson.kind(map));
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : map.properties()) {
            JsonNode shard = field.getValue();
            if (!shard.isTextual()) {
                throw new CheckpointException(file + ": weight_map entry for tensor '" + field.getKey()
                        + "' must be a file name string, got " + StrictJson.kind(shard));
            }
            requirePlainFileName(file, field.getKey(), shard.textValue());
            weightMap.put(field.getKey(), shard.textValue());
        }
        JsonNode metadata = root.get("metadata");
        if (metadata != null && !metadata.isObject() && !metadata.isNull()) {
            throw new CheckpointException(file + ": \"metadata\" must be an object, got " + StrictJson.kind(metadata));
        }
        if (weightMap.isEmpty()) {
            throw new CheckpointException(file + ": weight_map lists no tensors");
        }
        return new SafetensorsIndex(file, weightMap);
    }

    /** Shards live beside the index; a name that climbs out of the folder is refused, not followed. */
    private static void requirePlainFileName(Path index, String tensor, String shard) throws CheckpointException {
        Path name = Path.of(shard);
        if (shard.isEmpty() || name.isAbsolute() || name.getNameCount() != 1 || shard.equals("..") || shard.equals(".")) {
            throw new CheckpointException(index + ": weight_map entry for tensor '" + tensor + "' names '" + shard
                    + "', which is not a file name in the index's folder");
        }
    }

    /** The shard file names, each once, sorted (shard files are numbered, so this is shard order). */
    public List<String> shardNames() {
        return weightMap.values().stream().distinct().sorted().toList();
    }

    /** The folder shards are resolved against. */
    public Path folder() {
        return file.toAbsolutePath().getParent();
    }
}
