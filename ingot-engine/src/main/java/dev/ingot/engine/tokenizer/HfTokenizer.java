package dev.ingot.engine.tokenizer;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face {@code tokenizer.json} BPE tokenizer: SentencePiece-style (Llama 2, Mistral: {@code ▁}
 * for spaces, {@code <0xHH>} byte fallback) or byte-level (GPT-2, Llama 3, Qwen2). Encoding runs added
 * tokens → normalizer → pre-tokenizer → BPE; decoding runs the file's decoder one token at a time, over
 * added tokens too, as Hugging Face's {@code tokenizers} does (Gemma's {@code ▁▁▁▁} whitespace tokens
 * come back as spaces). Immutable, so thread-safe.
 */
public final class HfTokenizer implements Tokenizer {

    private static final byte[] NOTHING = new byte[0];

    /** The loaded pipeline; {@code pieces[id]} is the vocabulary entry, or the added token's content. */
    record Parts(
            String[] pieces,
            Map<String, Integer> idOfPiece,
            boolean[] special,
            AddedTokens addedTokens,
            TextNormalizer normalizer,
            PreTokenizer preTokenizer,
            BpeModel model,
            PieceDecoder decoder,
            int bosId,
            boolean addsBos,
            int eosId,
            boolean addsEos,
            Optional<String> chatTemplate) {}

    private final Parts parts;

    HfTokenizer(Parts parts) {
        this.parts = parts;
    }

    /** Loads {@code tokenizer.json}, or the one inside a folder, with the sidecar files beside it. */
    public static HfTokenizer load(Path fileOrFolder) throws IOException {
        return HfTokenizerLoader.load(fileOrFolder);
    }

    /** The Jinja chat template from {@code tokenizer_config.json} or {@code chat_template.jinja}, if any. */
    public Optional<String> chatTemplate() {
        return parts.chatTemplate();
    }

    /** Whether {@code token} is a special added token (BOS, EOS, chat markers), which decodes to nothing. */
    public boolean isSpecial(int token) {
        checkId(token);
        return parts.special()[token];
    }

    /** The id of a vocabulary entry or added token, as written (e.g. {@code "<|eot_id|>"}, {@code "▁Once"}). */
    public Optional<Integer> tokenId(String piece) {
        return Optional.ofNullable(parts.idOfPiece().get(piece));
    }

    @Override
    public int vocabSize() {
        return parts.pieces().length;
    }

    @Override
    public int bosId() {
        return parts.bosId();
    }

    /** Whether prompts start with BOS, as tokenizer_config.json's {@code add_bos_token} or the post-processor says. */
    @Override
    public boolean addsBos() {
        return parts.addsBos();
    }

    @Override
    public int eosId() {
        return parts.eosId();
    }

    /** Whether prompts end with EOS: tokenizer_config.json's {@code add_eos_token}. */
    @Override
    public boolean addsEos() {
        return parts.addsEos();
    }

    @Override
    public int[] encode(String text) {
        IntBuffer ids = new IntBuffer(text.length() / 3 + 4);
        for (AddedTokens.Segment segment : parts.addedTokens().split(text)) {
            if (!segment.isText()) {
                ids.add(segment.id());
                continue;
            }
            String normalized = parts.normalizer().apply(segment.text());
            if (normalized.isEmpty()) {
                continue;
            }
            for (PreTokenizer.Word word : parts.preTokenizer().split(new PreTokenizer.Word(normalized, segment.start() == 0))) {
                parts.model().encodeWord(word.text(), ids);
            }
        }
        return ids.toArray();
    }

    @Override
    public byte[] decode(int previousToken, int token) {
        checkId(token);
        if (parts.special()[token]) {
            return NOTHING;
        }
        boolean atStart = previousToken < 0 || previousToken == parts.bosId();
        return parts.decoder().decode(parts.pieces()[token], atStart);
    }

    /**
     * Decodes a sequence with control tokens skipped, as {@code decode(ids, skip_special_tokens=True)}:
     * only the first token after {@code previousToken} can be the start of the text, so a token after a
     * BOS in the middle keeps its leading space (token by token, a BOS before it would look like the start).
     */
    @Override
    public String decode(int previousToken, int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean atStart = previousToken < 0 || previousToken == parts.bosId();
        for (int token : tokens) {
            checkId(token);
            if (parts.special()[token]) {
                continue;
            }
            bytes.writeBytes(parts.decoder().decode(parts.pieces()[token], atStart));
            atStart = false;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * Decodes a whole sequence as Hugging Face's {@code decode(ids, skip_special_tokens)} does: special
     * tokens are written as their text unless skipped, and only the very first piece written counts as
     * the start of the text (where a SentencePiece decoder drops its prefix space), BOS or not.
     */
    public String decodeText(int[] ids, boolean skipSpecialTokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean atStart = true;
        for (int token : ids) {
            checkId(token);
            if (skipSpecialTokens && parts.special()[token]) {
                continue;
            }
            bytes.writeBytes(parts.decoder().decode(parts.pieces()[token], atStart));
            atStart = false;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String piece(int token) {
        checkId(token);
        return parts.pieces()[token];
    }

    private void checkId(int token) {
        if (token < 0 || token >= parts.pieces().length) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary (0.." + (parts.pieces().length - 1) + ")");
        }
    }

    @Override
    public String toString() {
        return "HfTokenizer(" + parts.model() + ", bos=" + bosId() + (addsBos() ? " (prepended)" : "") + ", eos=" + eosId() + ")";
    }
}
