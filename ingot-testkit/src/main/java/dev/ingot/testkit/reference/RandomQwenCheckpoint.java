package dev.ingot.testkit.reference;

import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Writes a Hugging Face layout Qwen2/Qwen3 checkpoint folder ({@code config.json} + {@code model.safetensors}, and
 * optionally the real Qwen3 tokenizer files) with seeded random weights, and hands back exactly the values written, so
 * an engine loading the folder and a {@link QwenReference} built from the returned map see the same model.
 *
 * <p>Scales are chosen so that every part of the model matters at float32 resolution rather than to mimic a trained
 * model: linears ~ N(0, 1/fan_in) keep activations near unit size, so attention scores are O(1) (not uniform) and the
 * top logits are typically separated by far more than float32 rounding; biases ~ N(0, 0.5) so a dropped bias
 * shows; norm weights ~ 1 + N(0, 0.2) and q/k norm weights ~ 1 + N(0, 0.5) so a missing or misplaced norm shows.
 * Embeddings ~ N(0, 0.1): small next to the blocks' outputs, otherwise a tied head mostly sees the current token's
 * own embedding in the residual stream and greedy decoding just repeats the last token.
 */
public final class RandomQwenCheckpoint {

    private RandomQwenCheckpoint() {}

    /** {@code ../shared/tokenizers/qwen3} beside the checkout (tokenizer.json and tokenizer_config.json of Qwen3). */
    public static Path sharedQwen3Tokenizer() {
        return SharedModels.root().getParent().resolve("tokenizers").resolve("qwen3");
    }

    /** Writes the folder without tokenizer files. */
    public static Map<String, float[]> write(Path folder, QwenConfig c, long seed, DType dtype) throws IOException {
        return write(folder, c, seed, dtype, null);
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} into {@code folder} (created if needed) and, when
     * {@code tokenizerSource} is not null, copies its {@code tokenizer.json} and {@code tokenizer_config.json} there.
     *
     * @return the weights by Hugging Face name, exactly as stored (already rounded to {@code dtype}), unmodifiable
     */
    public static Map<String, float[]> write(Path folder, QwenConfig c, long seed, DType dtype, Path tokenizerSource)
            throws IOException {
        Files.createDirectories(folder);
        Map<String, float[]> weights = weights(c, seed, dtype);
        Map<String, int[]> shapes = QwenTensors.shapes(c);
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            tensors.put(e.getKey(), new SafetensorsWriter.Tensor(e.getValue(), weights.get(e.getKey())));
        }
        SafetensorsWriter.write(folder.resolve("model.safetensors"), tensors, dtype, Map.of("format", "pt"));
        Files.writeString(folder.resolve("config.json"), QwenConfigJson.render(c, dtype));
        if (tokenizerSource != null) {
            for (String name : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
                Files.copy(tokenizerSource.resolve(name), folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return weights;
    }

    /** The same weights {@link #write} would store, without touching the disk. */
    public static Map<String, float[]> weights(QwenConfig c, long seed, DType dtype) {
        Random random = new Random(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : QwenTensors.shapes(c).entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            float[] v = new float[QwenTensors.elements(shape)];
            double mean;
            double std;
            if (name.endsWith("q_norm.weight") || name.endsWith("k_norm.weight")) {
                mean = 1.0;
                std = 0.5;
            } else if (name.endsWith("norm.weight")) {
                mean = 1.0;
                std = 0.2;
            } else if (name.endsWith(".bias")) {
                mean = 0;
                std = 0.5;
            } else if (name.equals("model.embed_tokens.weight")) {
                mean = 0;
                std = 0.1;
            } else {
                mean = 0;
                std = 1.0 / Math.sqrt(shape[1]);
            }
            for (int j = 0; j < v.length; j++) {
                v[j] = dtype.round((float) (mean + std * random.nextGaussian()));
            }
            out.put(name, v);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Convenience for tests that cannot throw checked exceptions. */
    public static Map<String, float[]> writeUnchecked(Path folder, QwenConfig c, long seed, DType dtype, Path tokenizer) {
        try {
            return write(folder, c, seed, dtype, tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
