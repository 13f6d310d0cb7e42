package dev.ingot.engine.tokenizer.sentencepiece;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shared stories260K SentencePiece model and what SentencePiece 0.1.97 itself made of 120 texts. */
final class SentencePieceReference {

    /** One line of {@code sentencepiece.jsonl}: the text, its ids (no BOS), their pieces and the decoded text. */
    record Case(int line, String text, int[] ids, List<String> pieces, String decoded) {
        @Override
        public String toString() {
            String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
            return "line " + line + ": " + shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        }
    }

    private SentencePieceReference() {}

    static Path modelFile() {
        return SharedModels.root().resolve("stories260K").resolve("tokenizer.model");
    }

    static Path jsonl() {
        return SharedModels.root().resolveSibling("tokenizers").resolve("stories260K").resolve("sentencepiece.jsonl");
    }

    static List<Case> cases() {
        ObjectMapper json = new ObjectMapper();
        List<Case> cases = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(jsonl());
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(lines.get(i));
                int[] ids = new int[node.get("ids").size()];
                for (int k = 0; k < ids.length; k++) {
                    ids[k] = node.get("ids").get(k).intValue();
                }
                List<String> pieces = new ArrayList<>();
                node.get("pieces").forEach(p -> pieces.add(p.textValue()));
                cases.add(new Case(i + 1, node.get("text").textValue(), ids, pieces, node.get("decoded").textValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }
}
