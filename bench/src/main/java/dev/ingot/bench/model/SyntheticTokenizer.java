package dev.ingot.bench.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A llama2.c tokenizer file with a full 32000-token vocabulary, so every token a random-weight model
 * picks can be printed: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens, then made-up
 * words (" a", " b", ... " aa", ...). Layout: int32 max_token_length, then per token float32 score,
 * int32 length and the piece's bytes, all little-endian.
 */
public final class SyntheticTokenizer {

    private SyntheticTokenizer() {}

    /** Writes the tokenizer as {@code folder/tok<vocab>.bin} unless it exists; returns its path. */
    public static Path ensure(Path folder, int vocab) throws IOException {
        Path file = folder.resolve("tok" + vocab + ".bin");
        if (Files.exists(file)) {
            return file;
        }
        List<byte[]> pieces = new ArrayList<>();
        pieces.add(bytes("<unk>"));
        pieces.add(bytes("<s>"));
        pieces.add(bytes("</s>"));
        for (int b = 0; b < 256; b++) {
            pieces.add(bytes(String.format("<0x%02X>", b)));
        }
        for (int word = 0; pieces.size() < vocab; word++) {
            pieces.add(bytes(" " + letters(word)));
        }
        int maxLength = pieces.stream().mapToInt(p -> p.length).max().orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(le(4).putInt(maxLength).array());
        for (int i = 0; i < pieces.size(); i++) {
            byte[] piece = pieces.get(i);
            out.writeBytes(le(8).putFloat(i < 259 ? 0f : -i).putInt(piece.length).array());
            out.writeBytes(piece);
        }
        Files.createDirectories(folder);
        Files.write(file, out.toByteArray());
        return file;
    }

    /** 0 -> "a", 25 -> "z", 26 -> "aa": every word distinct. */
    private static String letters(int n) {
        StringBuilder s = new StringBuilder();
        for (int v = n + 1; v > 0; v = (v - 1) / 26) {
            s.append((char) ('a' + (v - 1) % 26));
        }
        return s.reverse().toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
