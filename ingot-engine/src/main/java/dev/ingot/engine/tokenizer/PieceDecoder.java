package dev.ingot.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code "decoder"} of a {@code tokenizer.json}, applied one token at a time: it turns a vocabulary
 * piece into the bytes it adds to the text. Hugging Face decoders work on the whole token list, but the
 * ones Llama-family files use are per token except at the very start (Strip after Fuse, Metaspace's
 * prefix), which {@code atStart} covers. Working in bytes lets {@code <0xHH>} tokens carry part of a
 * UTF-8 character, which the caller joins.
 */
final class PieceDecoder {

    /** One decoder stage. A piece is text until a stage turns it into bytes. */
    sealed interface Step {
        Piece apply(Piece piece, boolean atStart);
    }

    /** Text, or bytes once a byte-producing stage has run. */
    record Piece(String text, byte[] bytes) {
        static Piece of(String text) {
            return new Piece(text, null);
        }

        byte[] utf8() {
            return bytes != null ? bytes : text.getBytes(StandardCharsets.UTF_8);
        }
    }

    record Replace(TextNormalizer replacement) implements Step {
        public Piece apply(Piece piece, boolean atStart) {
            return piece.text() == null ? piece : Piece.of(replacement.apply(piece.text()));
        }
    }

    /** {@code <0xHH>} pieces stand for the byte HH. */
    record ByteFallback() implements Step {
        public Piece apply(Piece piece, boolean atStart) {
            String t = piece.text();
            if (t != null && t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                int hi = Character.digit(t.charAt(3), 16);
                int lo = Character.digit(t.charAt(4), 16);
                if (hi >= 0 && lo >= 0) {
                    return new Piece(null, new byte[] {(byte) (hi * 16 + lo)});
                }
            }
            return piece;
        }
    }

    /** Pieces written in GPT-2's byte alphabet; a piece with other characters is kept as written. */
    record ByteLevel() implements Step {
        public Piece apply(Piece piece, boolean atStart) {
            byte[] bytes = piece.text() == null ? null : ByteLevelAlphabet.decode(piece.text());
            return bytes == null ? piece : new Piece(null, bytes);
        }
    }

    /**
     * Joins the pieces into one text. Nothing to do for bytes handed out token by token; it only makes
     * a later Strip act on the start of the whole text instead of on every piece.
     */
    record Fuse() implements Step {
        public Piece apply(Piece piece, boolean atStart) {
            return piece;
        }
    }

    /**
     * Removes up to {@code count} leading {@code content} characters — from every piece, or, after a
     * Fuse has joined the pieces into one text, from the start of the text only.
     */
    record Strip(String content, int count, boolean textStartOnly) implements Step {
        public Piece apply(Piece piece, boolean atStart) {
            if (textStartOnly && !atStart) {
                return piece;
            }
            byte[] bytes = piece.utf8();
            byte[] strip = content.getBytes(StandardCharsets.UTF_8);
            int from = 0;
            for (int n = 0; n < count && startsWith(bytes, from, strip); n++) {
                from += strip.length;
            }
            return from == 0 ? piece : new Piece(null, Arrays.copyOfRange(bytes, from, bytes.length));
        }

        private static boolean startsWith(byte[] bytes, int from, byte[] prefix) {
            return bytes.length - from >= prefix.length
                    && Arrays.equals(bytes, from, from + prefix.length, prefix, 0, prefix.length);
        }
    }

    /** SentencePiece's {@code ▁} back to spaces, dropping the one prepended to the first word. */
    record Metaspace(String replacement, boolean prepends) implements Step {
        public Piece apply(Piece piece, boolean atStart) {
            if (piece.text() == null) {
                return piece;
            }
            String text = piece.text();
            if (atStart && prepends && text.startsWith(replacement)) {
                text = text.substring(replacement.length());
            }
            return Piece.of(text.replace(replacement, " "));
        }
    }

    private final List<Step> steps;

    PieceDecoder(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /** The bytes {@code piece} adds; {@code atStart} when nothing but control tokens came before it. */
    byte[] decode(String piece, boolean atStart) {
        Piece current = Piece.of(piece);
        for (Step step : steps) {
            current = step.apply(current, atStart);
        }
        return current.utf8();
    }

    static PieceDecoder fromJson(JsonNode node, JsonFields json) throws TokenizerFileException {
        List<Step> steps = new ArrayList<>();
        if (node != null && !node.isNull()) {
            addSteps(node, json, steps);
        }
        return new PieceDecoder(steps);
    }

    private static void addSteps(JsonNode node, JsonFields json, List<Step> steps) throws TokenizerFileException {
        String type = json.type(node, "decoder");
        switch (type) {
            case "Sequence" -> {
                for (JsonNode step : node.path("decoders")) {
                    addSteps(step, json, steps);
                }
            }
            case "Replace" -> steps.add(new Replace(TextNormalizer.replacement(node, json, "decoder Replace")));
            case "ByteFallback" -> steps.add(new ByteFallback());
            case "ByteLevel" -> steps.add(new ByteLevel());
            case "Fuse" -> steps.add(new Fuse());
            case "Strip" -> {
                boolean afterFuse = steps.stream().anyMatch(s -> s instanceof Fuse);
                int stop = JsonFields.integer(node, "stop", 0);
                if (stop > 0) {
                    throw json.problem("unsupported decoder Strip with stop=" + stop
                            + " (Ingot decodes token by token and cannot strip from the end)");
                }
                steps.add(new Strip(json.text(node, "content", "decoder Strip"), JsonFields.integer(node, "start", 0),
                        afterFuse));
            }
            case "Metaspace" -> {
                String scheme = JsonFields.optionalText(node, "prepend_scheme");
                boolean prepends = scheme != null ? !scheme.equals("never") : JsonFields.flag(node, "add_prefix_space", true);
                steps.add(new Metaspace(json.text(node, "replacement", "decoder Metaspace"), prepends));
            }
            default -> throw json.problem("unsupported decoder type \"" + type
                    + "\" (supported: Sequence, Replace, ByteFallback, ByteLevel, Fuse, Strip, Metaspace)");
        }
    }
}
