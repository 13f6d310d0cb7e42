package dev.ingot.bench.llamacpp;

import dev.ingot.bench.model.ModelShape;
import dev.ingot.bench.model.ModelVariant;
import dev.ingot.bench.model.SyntheticModels;
import dev.ingot.server.cli.IngotCommand;
import dev.ingot.spi.tensor.DType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The file both engines read when they are compared: a synthetic Llama's HF F32 checkpoint written as GGUF F32
 * by {@code ingot convert --to gguf} (the gguf plugin), with a vocabulary so llama.cpp accepts it.
 */
public final class SyntheticGguf {

    private SyntheticGguf() {}

    /** The HF F32 checkpoint of {@code shape} under {@code models} (written once), with a tokenizer.json. */
    public static Path hf(Path models, ModelShape shape) throws Exception {
        Path hf = new SyntheticModels(models).ensure(new ModelVariant(shape, ModelVariant.Layout.HF, DType.F32));
        writeTokenizerJson(hf.resolve("tokenizer.json"), shape.vocab());
        return hf;
    }

    /** {@code hf} as GGUF F32 at {@code out}, converted once; later calls reuse the file. */
    public static Path f32(Path hf, Path out, Path plugins) throws IOException {
        if (!Files.exists(out)) {
            int code = IngotCommand.commandLine().execute("convert", "--model", hf.toString(), "--plugins", plugins.toString(),
                    "--to", "gguf", "--out", out.toString());
            if (code != 0) {
                throw new IOException("ingot convert --to gguf failed for " + hf);
            }
        }
        return out;
    }

    /**
     * {@code f32} written as {@code type} at {@code out} by llama.cpp's {@code llama-quantize} (F16, BF16, Q8_0, Q4_K_M,
     * ...; {@code TYPE-pure} quantizes every tensor, the embedding and LM head too), once; later calls reuse the file.
     * Both engines then read llama.cpp's own encoding of the weights.
     */
    public static Path quantized(Path f32, Path out, String type, LlamaCppAnchor anchor) throws IOException, InterruptedException {
        if (Files.exists(out)) {
            return out;
        }
        boolean pure = type.endsWith("-pure");
        List<String> args = new ArrayList<>(List.of("quantize", f32.toString(), out.toString(),
                pure ? type.substring(0, type.length() - "-pure".length()) : type));
        if (pure) {
            args.add("--pure");
        }
        LlamaCppAnchor.Run q = anchor.run(args);
        if (q.code() != 0 || !Files.exists(out)) {
            throw new IOException("llama-quantize " + type + " failed for " + f32.getFileName() + ": " + q.lastLine());
        }
        return out;
    }

    /**
     * A SentencePiece-style tokenizer.json with the synthetic tokenizer's pieces (the specials, the 256
     * byte pieces, made-up words spelled with {@code ▁}), so the converted GGUF carries a vocabulary.
     */
    static void writeTokenizerJson(Path file, int vocab) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        StringBuilder v = new StringBuilder();
        List<String> pieces = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) {
            pieces.add(String.format(Locale.ROOT, "<0x%02X>", b));
        }
        for (int word = 0; pieces.size() < vocab; word++) {
            pieces.add("\u2581" + letters(word));
        }
        for (int i = 0; i < pieces.size(); i++) {
            v.append(i == 0 ? "" : ",").append('"').append(pieces.get(i)).append("\":").append(i);
        }
        String json = """
                {"version":"1.0","added_tokens":[
                 {"id":0,"content":"<unk>","special":true},{"id":1,"content":"<s>","special":true},{"id":2,"content":"</s>","special":true}],
                 "normalizer":{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"\u2581"},{"type":"Replace","pattern":{"String":" "},"content":"\u2581"}]},
                 "pre_tokenizer":null,
                 "model":{"type":"BPE","unk_token":"<unk>","byte_fallback":true,"vocab":{%s},"merges":[]}}
                """.formatted(v);
        Files.writeString(file, json, StandardCharsets.UTF_8);
    }

    private static String letters(int n) {
        StringBuilder s = new StringBuilder();
        for (int v = n + 1; v > 0; v = (v - 1) / 26) {
            s.append((char) ('a' + (v - 1) % 26));
        }
        return s.reverse().toString();
    }
}
