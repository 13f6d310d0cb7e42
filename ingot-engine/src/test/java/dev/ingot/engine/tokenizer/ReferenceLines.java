package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hugging Face's reference encodings in {@code ../shared/tokenizers/NAME/expected.jsonl} (see its README),
 * one per corpus string, and the tokenizers they were made with, loaded once per test run.
 */
final class ReferenceLines {

    /** One jsonl line; {@code line} is 1-based as in the README. */
    record Line(String tokenizer, int line, String text, int[] ids, int[] idsWithSpecial, String decoded,
                String decodedSkip) {
        @Override
        public String toString() {
            return tokenizer + ":" + line;
        }
    }

    static final List<String> TOKENIZERS = List.of("qwen3", "deepseek_v3", "stories260K");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, HfTokenizer> LOADED = new ConcurrentHashMap<>();

    private ReferenceLines() {}

    static List<Line> all() {
        List<Line> out = new ArrayList<>();
        for (String name : TOKENIZERS) {
            out.addAll(of(name));
        }
        return out;
    }

    static List<Line> of(String name) {
        Path file = SharedModels.tokenizers().resolve(name).resolve("expected.jsonl");
        try {
            List<String> rows = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<Line> out = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                JsonNode row = MAPPER.readTree(rows.get(i));
                out.add(new Line(name, i + 1, row.get("text").asText(), ints(row.get("ids")),
                        ints(row.get("ids_with_special")), row.get("decoded").asText(), row.get("decoded_skip").asText()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tokenizer a line was made with: the folder's own, but stories260K's lives with its model. */
    static HfTokenizer tokenizer(String name) {
        return LOADED.computeIfAbsent(name, n -> {
            Path location = n.equals("stories260K")
                    ? SharedModels.storiesHf().resolve("tokenizer.json")
                    : SharedModels.tokenizers().resolve(n).resolve("tokenizer.json");
            try {
                return HfTokenizer.load(location);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
