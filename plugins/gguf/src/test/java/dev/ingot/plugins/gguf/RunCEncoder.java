package dev.ingot.plugins.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A literal second implementation of llama2.c run.c's {@code encode} over its own tokenizer file
 * ({@code tok512.bin}), for comparing token ids: a dummy-prefix " " token, one token per UTF-8 code
 * point (or byte tokens {@code byte + 3} when the code point is not a piece), then the best-scoring
 * adjacent merge (first on ties, scores above -1e10) until none is left. Slow and simple on purpose.
 */
final class RunCEncoder {

    private final List<String> pieces = new ArrayList<>();
    private final List<Float> scores = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();

    RunCEncoder(Path tokenizerBin) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(tokenizerBin)).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt(); // max_token_length
        while (in.hasRemaining()) {
            scores.add(in.getFloat());
            byte[] bytes = new byte[in.getInt()];
            in.get(bytes);
            String piece = new String(bytes, StandardCharsets.ISO_8859_1); // byte strings, compared as bytes
            ids.putIfAbsent(piece, pieces.size());
            pieces.add(piece);
        }
    }

    List<Integer> encode(String text) {
        List<Integer> tokens = new ArrayList<>();
        if (!text.isEmpty()) {
            tokens.add(ids.get(" "));
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < utf8.length; ) {
            int end = i + 1;
            while (end < utf8.length && (utf8[end] & 0xC0) == 0x80 && end - i < 4) {
                end++;
            }
            String codePoint = new String(utf8, i, end - i, StandardCharsets.ISO_8859_1);
            Integer id = ids.get(codePoint);
            if (id != null) {
                tokens.add(id);
            } else {
                for (int b = i; b < end; b++) {
                    tokens.add((utf8[b] & 0xFF) + 3);
                }
            }
            i = end;
        }
        while (true) {
            float bestScore = -1e10f;
            int bestId = -1;
            int bestIndex = -1;
            for (int i = 0; i + 1 < tokens.size(); i++) {
                Integer id = ids.get(pieces.get(tokens.get(i)) + pieces.get(tokens.get(i + 1)));
                if (id != null && scores.get(id) > bestScore) {
                    bestScore = scores.get(id);
                    bestId = id;
                    bestIndex = i;
                }
            }
            if (bestIndex < 0) {
                return tokens;
            }
            tokens.set(bestIndex, bestId);
            tokens.remove(bestIndex + 1);
        }
    }
}
