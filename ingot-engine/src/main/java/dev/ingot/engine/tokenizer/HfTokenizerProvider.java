package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hugging Face {@code tokenizer.json} files (BPE models), or a folder holding one. */
public final class HfTokenizerProvider implements TokenizerProvider {

    public static final String NAME = "hf-tokenizer-json";

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Hugging Face tokenizer.json with a BPE model (SentencePiece-style with byte fallback, or byte-level)";
    }

    @Override
    public Detection detect(Path location, EngineServices engine) {
        Path file = location;
        if (Files.isDirectory(location)) {
            file = location.resolve(HfTokenizerLoader.FILE_NAME);
            if (!Files.isRegularFile(file)) {
                return Detection.no("folder without " + HfTokenizerLoader.FILE_NAME);
            }
        }
        if (!Files.isRegularFile(file)) {
            return Detection.no("not a file");
        }
        boolean named = file.getFileName().toString().equals(HfTokenizerLoader.FILE_NAME);
        String type = modelType(file);
        if ("BPE".equals(type)) {
            return named ? Detection.layout("tokenizer.json with a BPE model") : Detection.weak("JSON tokenizer with a BPE model, not named tokenizer.json");
        }
        if (named && type != null) {
            // Ours by name: claim it weakly so that opening it explains what is unsupported.
            return Detection.weak("tokenizer.json with model type \"" + type + "\", which this reader does not support");
        }
        return Detection.no(type == null ? "not a JSON tokenizer" : "JSON tokenizer with model type \"" + type + "\"");
    }

    @Override
    public Tokenizer open(Path location, EngineServices engine) throws IOException {
        return HfTokenizer.load(location);
    }

    /**
     * The {@code model.type} of a JSON file, read with a streaming parser that stops as soon as it has
     * it (the vocabulary after it can be megabytes); "" when the model has no type, null when the
     * file is not a JSON object with a model.
     */
    private static String modelType(Path file) {
        try (InputStream in = Files.newInputStream(file); JsonParser parser = JSON.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("model") && value == JsonToken.START_OBJECT) {
                    return typeField(parser);
                }
                parser.skipChildren();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // not JSON, or not readable: simply not ours
        }
    }

    private static String typeField(JsonParser parser) throws IOException {
        boolean hasMerges = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("type") && value == JsonToken.VALUE_STRING) {
                return parser.getText();
            }
            hasMerges |= field.equals("merges");
            parser.skipChildren();
        }
        return hasMerges ? "BPE" : "";
    }
}
