package dev.ingot.plugins.mistral;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which safetensors files hold a Mistral checkpoint's weights: {@code consolidated.safetensors}, or
 * shards {@code consolidated-0000N-of-0000M.safetensors}, described by
 * {@code consolidated.safetensors.index.json} ({@code weight_map: {tensor: file}}) when it exists.
 *
 * @param files     the weight files, in shard order
 * @param weightMap the index's tensor-to-file map, empty when there is no index
 */
record MistralShards(List<Path> files, Map<String, String> weightMap) {

    static final String SINGLE = "consolidated.safetensors";
    static final String INDEX = "consolidated.safetensors.index.json";
    private static final Pattern SHARD = Pattern.compile("consolidated-(\\d+)-of-(\\d+)\\.safetensors");

    MistralShards {
        files = List.copyOf(files);
        weightMap = Map.copyOf(weightMap);
    }

    /** The weight files in {@code folder}, or empty when it has none of the above. */
    static Optional<MistralShards> find(Path folder) throws IOException {
        Path index = folder.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return Optional.of(fromIndex(folder, index));
        }
        if (Files.isRegularFile(folder.resolve(SINGLE))) {
            return Optional.of(new MistralShards(List.of(folder.resolve(SINGLE)), Map.of()));
        }
        TreeMap<Integer, Path> shards = new TreeMap<>();
        TreeSet<Integer> totals = new TreeSet<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, "consolidated-*.safetensors")) {
            for (Path file : stream) {
                Matcher m = SHARD.matcher(file.getFileName().toString());
                if (m.matches()) {
                    shards.put(Integer.parseInt(m.group(1)), file);
                    totals.add(Integer.parseInt(m.group(2)));
                }
            }
        }
        if (shards.isEmpty()) {
            return Optional.empty();
        }
        int total = totals.last();
        if (totals.size() > 1 || shards.size() != total || shards.firstKey() != 1 || shards.lastKey() != total) {
            throw new CheckpointException(folder + ": incomplete or mixed shards " + shards.values().stream()
                    .map(p -> p.getFileName().toString()).toList() + "; expected consolidated-1..." + total + "-of-" + total);
        }
        return Optional.of(new MistralShards(new ArrayList<>(shards.values()), Map.of()));
    }

    private static MistralShards fromIndex(Path folder, Path index) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readString(index));
        } catch (JacksonException e) {
            throw new CheckpointException(index + ": not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new CheckpointException(index + ": no 'weight_map' object of tensor names to files");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        TreeSet<String> fileNames = new TreeSet<>();
        for (Map.Entry<String, JsonNode> entry : map.properties()) {
            String fileName = entry.getValue().asText("");
            if (!entry.getValue().isTextual() || fileName.contains("/") || fileName.contains("\\") || fileName.isEmpty()) {
                throw new CheckpointException(index + ": tensor '" + entry.getKey() + "' maps to " + entry.getValue()
                        + ", not a file name in the checkpoint folder");
            }
            weightMap.put(entry.getKey(), fileName);
            fileNames.add(fileName);
        }
        List<Path> files = new ArrayList<>();
        for (String fileName : fileNames) {
            Path file = folder.resolve(fileName);
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException(index + ": names shard " + fileName + ", which is missing");
            }
            files.add(file);
        }
        return new MistralShards(files, weightMap);
    }
}
