package dev.ingot.examples.acme;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.ModelSpec;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parsed {@code acme.json}: {@code acme_version} (1), {@code model} (the hyper-parameters) and
 * {@code tensors} ({@code name -> {file, dtype, shape}}). Parsing checks everything that can be
 * checked without reading weights: required fields, dtypes, and that every file exists with exactly
 * the size its dtype and shape need.
 */
record AcmeManifest(ModelSpec spec, List<Entry> tensors) {

    /** One tensor: its description and its file, already checked to exist with the right size. */
    record Entry(TensorInfo info, Path file) {}

    static final int VERSION = 1;
    static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    AcmeManifest {
        tensors = List.copyOf(tensors);
    }

    static AcmeManifest read(Path folder) throws IOException {
        Path file = folder.resolve(AcmeNames.MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(folder + ": no " + AcmeNames.MANIFEST + " in this acme checkpoint folder");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JacksonException e) {
            throw new CheckpointException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.path("acme_version").asInt(-1) != VERSION) {
            throw new CheckpointException(file + ": acme_version must be " + VERSION + ", got "
                    + (root == null ? "nothing" : root.path("acme_version")));
        }
        ModelSpec spec = spec(file, root.path("model"));
        JsonNode tensors = root.path("tensors");
        if (!tensors.isObject() || tensors.isEmpty()) {
            throw new CheckpointException(file + ": 'tensors' must be an object of name -> {file, dtype, shape}");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> tensor : tensors.properties()) {
            entries.add(entry(folder, file, tensor.getKey(), tensor.getValue()));
        }
        return new AcmeManifest(spec, entries);
    }

    private static ModelSpec spec(Path file, JsonNode model) throws CheckpointException {
        if (!model.isObject()) {
            throw new CheckpointException(file + ": 'model' must be an object");
        }
        try {
            return ModelSpec.builder()
                    .architecture("llama")
                    .hiddenSize(integer(file, model, "width"))
                    .layers(integer(file, model, "depth"))
                    .heads(integer(file, model, "heads"))
                    .kvHeads(integer(file, model, "kv_heads"))
                    .ffnSize(integer(file, model, "mlp"))
                    .vocabSize(integer(file, model, "vocab"))
                    .ropeTheta(number(file, model, "rope_base"))
                    .normEps(number(file, model, "eps"))
                    .maxPositions(integer(file, model, "context"))
                    .tiedEmbeddings(bool(file, model, "tied"))
                    .bosTokenId(integer(file, model, "bos"))
                    .eosTokenId(integer(file, model, "eos"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": model: " + e.getMessage());
        }
    }

    private static Entry entry(Path folder, Path manifest, String name, JsonNode node) throws CheckpointException {
        String where = manifest + ": tensor '" + name + "'";
        String dtypeName = node.path("dtype").asText("");
        AcmeDType dtype = AcmeDType.fromManifest(dtypeName).orElseThrow(() -> new CheckpointException(
                where + " has unknown dtype '" + dtypeName + "' (acme knows f32, bf16)"));
        JsonNode shapeNode = node.path("shape");
        if (!shapeNode.isArray() || shapeNode.isEmpty()) {
            throw new CheckpointException(where + " needs a non-empty 'shape' array");
        }
        long[] dims = new long[shapeNode.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!shapeNode.get(i).canConvertToLong() || !shapeNode.get(i).isIntegralNumber() || shapeNode.get(i).asLong() <= 0) {
                throw new CheckpointException(where + " has a bad dimension " + shapeNode.get(i));
            }
            dims[i] = shapeNode.get(i).asLong();
        }
        String relative = node.path("file").asText("");
        Path file = folder.resolve(relative).normalize();
        if (relative.isEmpty() || Path.of(relative).isAbsolute() || !file.startsWith(folder.normalize())) {
            throw new CheckpointException(where + " needs a 'file' inside the checkpoint folder, got '" + relative + "'");
        }
        TensorInfo info = new TensorInfo(name, dtype.dtype(), new Shape(dims));
        long needed;
        try {
            needed = info.byteSize();
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + " shape " + info.shape() + " is too large");
        }
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(where + ": file " + file + " is missing");
        }
        long actual;
        try {
            actual = Files.size(file);
        } catch (IOException e) {
            throw new CheckpointException(where + ": cannot read the size of " + file + ": " + e.getMessage());
        }
        if (actual != needed) {
            throw new CheckpointException(where + ": file " + file + " has " + actual + " bytes but "
                    + dtypeName + info.shape() + " needs " + needed);
        }
        return new Entry(info, file);
    }

    private static int integer(Path file, JsonNode model, String key) throws CheckpointException {
        JsonNode value = model.get(key);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new CheckpointException(file + ": model." + key + " must be an integer, got " + (value == null ? "nothing" : value));
        }
        return value.asInt();
    }

    private static double number(Path file, JsonNode model, String key) throws CheckpointException {
        JsonNode value = model.get(key);
        if (value == null || !value.isNumber()) {
            throw new CheckpointException(file + ": model." + key + " must be a number, got " + (value == null ? "nothing" : value));
        }
        return value.asDouble();
    }

    private static boolean bool(Path file, JsonNode model, String key) throws CheckpointException {
        JsonNode value = model.get(key);
        if (value == null || !value.isBoolean()) {
            throw new CheckpointException(file + ": model." + key + " must be true or false, got " + (value == null ? "nothing" : value));
        }
        return value.asBoolean();
    }
}
