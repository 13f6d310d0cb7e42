package dev.ingot.examples.acme;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonArray;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parsed {@code acme.json}: {@code acme_version} (1), {@code model} (the hyper-parameters, in
 * acme's words) and {@code tensors} ({@code name -> {file, dtype, shape}}). The engine's JSON service
 * parses the file, so the plugin bundles no JSON library. Parsing checks everything that can be
 * checked without reading weights: required fields, dtypes, and that every file exists with exactly
 * the size its dtype and shape need.
 *
 * @param config the hyper-parameters said in Hugging Face words, for the engine's Llama architecture
 */
record AcmeManifest(ModelConfig config, List<Entry> tensors) {

    /** One tensor: its description and its file, already checked to exist with the right size. */
    record Entry(TensorInfo info, Path file) {}

    static final int VERSION = 1;
    /** A manifest lists a few hundred tensors; anything far larger is not one. */
    static final long MAX_BYTES = 16L << 20;

    AcmeManifest {
        tensors = List.copyOf(tensors);
    }

    /** acme's {@code acme_version}, or -1 when the file has none. */
    static long version(JsonValue root) {
        return root instanceof JsonObject o && o.get("acme_version").orElse(null) instanceof JsonNumber n && n.isIntegral()
                ? n.longValue() : -1;
    }

    static AcmeManifest read(Path folder, EngineServices engine) throws IOException {
        Path file = folder.resolve(AcmeNames.MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(folder + ": no " + AcmeNames.MANIFEST + " in this acme checkpoint folder");
        }
        JsonValue root = engine.readJson(file, MAX_BYTES);
        if (version(root) != VERSION) {
            throw new CheckpointException(file + ": acme_version must be " + VERSION + ", got " + version(root));
        }
        // ModelConfig's typed getters give one-line errors naming the file and the key, for acme's keys too.
        ModelConfig acme = new ModelConfig(file + ": model", object(file, root, "model"));
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonValue> tensor : object(file, root, "tensors").members().entrySet()) {
            entries.add(entry(folder, file, tensor.getKey(), tensor.getValue()));
        }
        if (entries.isEmpty()) {
            throw new CheckpointException(file + ": 'tensors' lists no tensor");
        }
        return new AcmeManifest(inHuggingFaceWords(file, acme), entries);
    }

    /** acme's hyper-parameters as the keys of a Hugging Face Llama {@code config.json}: the format's one translation. */
    private static ModelConfig inHuggingFaceWords(Path file, ModelConfig acme) throws CheckpointException {
        int bos = acme.requiredInt("bos");
        int eos = acme.requiredInt("eos");
        return ModelConfig.builder(file.toString())
                .architecture("LlamaForCausalLM", "llama")
                .put("hidden_size", acme.requiredInt("width"))
                .put("num_hidden_layers", acme.requiredInt("depth"))
                .put("num_attention_heads", acme.requiredInt("heads"))
                .put("num_key_value_heads", acme.requiredInt("kv_heads"))
                .put("intermediate_size", acme.requiredInt("mlp"))
                .put("vocab_size", acme.requiredInt("vocab"))
                .put("rope_theta", acme.number("rope_base").orElseThrow(() -> acme.fail("missing required field \"rope_base\"")))
                .put("rms_norm_eps", acme.number("eps").orElseThrow(() -> acme.fail("missing required field \"eps\"")))
                .put("max_position_embeddings", acme.requiredInt("context"))
                .put("tie_word_embeddings", acme.bool("tied").orElseThrow(() -> acme.fail("missing required field \"tied\"")))
                // acme writes -1 for "no such token"; Hugging Face says null
                .put("bos_token_id", bos < 0 ? JsonValue.NULL : JsonNumber.of(bos))
                .put("eos_token_id", eos < 0 ? JsonValue.NULL : JsonNumber.of(eos))
                .build();
    }

    private static JsonObject object(Path file, JsonValue root, String key) throws CheckpointException {
        if (((JsonObject) root).get(key).orElse(null) instanceof JsonObject o) {
            return o;
        }
        throw new CheckpointException(file + ": '" + key + "' must be an object");
    }

    private static Entry entry(Path folder, Path manifest, String name, JsonValue value) throws IOException {
        String where = manifest + ": tensor '" + name + "'";
        if (!(value instanceof JsonObject node)) {
            throw new CheckpointException(where + " must be an object {file, dtype, shape}");
        }
        String dtypeName = node.get("dtype").orElse(null) instanceof JsonString s ? s.value() : "";
        AcmeDType dtype = AcmeDType.fromManifest(dtypeName).orElseThrow(() -> new CheckpointException(
                where + " has unknown dtype '" + dtypeName + "' (acme knows f32, bf16)"));
        TensorInfo info = new TensorInfo(name, dtype.dtype(), shape(where, node));
        String relative = node.get("file").orElse(null) instanceof JsonString s ? s.value() : "";
        Path file = folder.resolve(relative).normalize();
        if (relative.isEmpty() || Path.of(relative).isAbsolute() || !file.startsWith(folder.normalize())) {
            throw new CheckpointException(where + " needs a 'file' inside the checkpoint folder, got '" + relative + "'");
        }
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(where + ": file " + file + " is missing");
        }
        long needed;
        try {
            needed = info.byteSize();
        } catch (ArithmeticException e) {
            throw new CheckpointException(where + " shape " + info.shape() + " is too large");
        }
        long actual = Files.size(file);
        if (actual != needed) {
            throw new CheckpointException(where + ": file " + file + " has " + actual + " bytes but "
                    + dtypeName + info.shape() + " needs " + needed);
        }
        return new Entry(info, file);
    }

    private static Shape shape(String where, JsonObject node) throws CheckpointException {
        if (!(node.get("shape").orElse(null) instanceof JsonArray array) || array.elements().isEmpty()) {
            throw new CheckpointException(where + " needs a non-empty 'shape' array");
        }
        long[] dims = new long[array.elements().size()];
        for (int i = 0; i < dims.length; i++) {
            JsonValue dim = array.elements().get(i);
            try {
                dims[i] = dim instanceof JsonNumber n ? n.longValue() : 0;
            } catch (ArithmeticException e) {
                dims[i] = 0;
            }
            if (dims[i] <= 0) {
                throw new CheckpointException(where + " has a bad dimension " + dim);
            }
        }
        return new Shape(dims);
    }
}
