package dev.ingot.plugins.mistral;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which files hold a Mistral checkpoint's weights: {@code consolidated.safetensors.index.json} when it
 * exists (the engine reads the index and every shard it names), else {@code consolidated.safetensors},
 * else a complete set of shards {@code consolidated-0000N-of-0000M.safetensors}. Reading them, with all
 * the checks a safetensors file needs, is the engine's job.
 *
 * @param files the index or single file alone, or the shards in order
 */
record MistralShards(List<Path> files) {

    static final String SINGLE = "consolidated.safetensors";
    static final String INDEX = "consolidated.safetensors.index.json";
    private static final Pattern SHARD = Pattern.compile("consolidated-(\\d+)-of-(\\d+)\\.safetensors");

    MistralShards {
        files = List.copyOf(files);
    }

    /** The weight files in {@code folder}, or empty when it has none of the above; an incomplete set of shards is an error. */
    static Optional<MistralShards> find(Path folder) throws IOException {
        for (String name : List.of(INDEX, SINGLE)) {
            if (Files.isRegularFile(folder.resolve(name))) {
                return Optional.of(new MistralShards(List.of(folder.resolve(name))));
            }
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
        return Optional.of(new MistralShards(new ArrayList<>(shards.values())));
    }

    /** Every tensor of every file as one source of zero-copy views; a name in two shards is an error. */
    TensorSource open(EngineServices engine) throws IOException {
        return files.size() == 1 ? engine.safetensors(files.getFirst()) : engine.safetensors(files);
    }
}
