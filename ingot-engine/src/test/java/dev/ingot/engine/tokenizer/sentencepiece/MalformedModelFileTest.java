package dev.ingot.engine.tokenizer.sentencepiece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.ingot.engine.tokenizer.TokenizerFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code tokenizer.model} that is cut short, lies about a length, uses the wrong wire type or asks
 * for something unsupported ends in one {@link TokenizerFileException} line naming the file, never in
 * an index error or a huge allocation; fields the reader does not know are skipped.
 */
class MalformedModelFileTest {

    private static byte[] real;

    @TempDir
    Path dir;

    @BeforeAll
    static void readRealModel() throws IOException {
        real = Files.readAllBytes(SentencePieceReference.modelFile());
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        Path file = write("truncated.model", Arrays.copyOf(real, real.length / 2));

        assertRefused(file, "malformed SentencePiece model", "claims", "remain");
    }

    @Test
    void aLengthLargerThanTheFileIsRefused() throws IOException {
        byte[] bytes = new ProtoBytes().key(1, 2).rawVarint(1_000_000).raw(new byte[20]).toByteArray();
        Path file = write("lying-length.model", bytes);

        assertRefused(file, "pieces[0] at byte 1 claims 1000000 bytes but only 20 remain");
    }

    @Test
    void aLengthBeyondAnyIntIsRefusedWithoutAllocating() throws IOException {
        byte[] bytes = new ProtoBytes().key(1, 2).rawVarint(-1L).raw(new byte[4]).toByteArray();
        Path file = write("huge-length.model", bytes);

        assertRefused(file, "claims 18446744073709551615 bytes but only 4 remain");
    }

    @Test
    void piecesOfTheWrongWireTypeAreRefused() throws IOException {
        Path file = write("wire-type.model", new ProtoBytes().varint(1, 5).toByteArray());

        assertRefused(file, "pieces[0] (field 1) has wire type 0, expected 2");
    }

    @Test
    void aScoreOfTheWrongWireTypeIsRefused() throws IOException {
        ProtoBytes piece = new ProtoBytes().string(1, "a").varint(2, 3);
        Path file = write("score-type.model", new ProtoBytes().message(1, piece).toByteArray());

        assertRefused(file, "pieces[0]: score (field 2) has wire type 0, expected 5");
    }

    @Test
    void groupWireTypesAreRefused() throws IOException {
        Path file = write("group.model", new ProtoBytes().key(7, 3).toByteArray());

        assertRefused(file, "field 7 at byte 0 has unsupported wire type 3");
    }

    @Test
    void aVarintThatNeverEndsIsRefused() throws IOException {
        byte[] bytes = new byte[12];
        Arrays.fill(bytes, (byte) 0xFF);
        Path file = write("varint.model", bytes);

        assertRefused(file, "varint at byte 0 is longer than 10 bytes");
    }

    @Test
    void invalidUtf8InAPieceIsRefused() throws IOException {
        ProtoBytes piece = new ProtoBytes().bytes(1, new byte[] {(byte) 0xC3, 0x28});
        Path file = write("utf8.model", new ProtoBytes().message(1, piece).toByteArray());

        assertRefused(file, "piece at byte 4 is not valid UTF-8");
    }

    @Test
    void anUnknownPieceTypeIsRefused() throws IOException {
        ProtoBytes piece = new ProtoBytes().string(1, "a").varint(3, 9);
        Path file = write("type.model", new ProtoBytes().message(1, piece).toByteArray());

        assertRefused(file, "type 9 is not a SentencePiece piece type");
    }

    @Test
    void emptyAndMissingFilesAreRefused() throws IOException {
        assertRefused(write("empty.model", new byte[0]), "the file is empty");
        assertRefused(dir.resolve("absent.model"), "no such file");
    }

    @Test
    void aModelWithoutAnUnknownPieceIsRefused() throws IOException {
        byte[] bytes = new ProtoBytes()
                .message(1, ProtoBytes.piece("a", 0, PieceType.NORMAL))
                .message(2, new ProtoBytes().varint(3, ModelType.BPE.code()))
                .toByteArray();

        assertRefused(write("no-unk.model", bytes), "the model has no piece of type UNKNOWN");
    }

    @Test
    void unsupportedSettingsAreNamed() throws IOException {
        ProtoBytes pieces = new ProtoBytes()
                .message(1, ProtoBytes.piece("<unk>", 0, PieceType.UNKNOWN))
                .message(1, ProtoBytes.piece("a", 0, PieceType.NORMAL));
        byte[] word = concat(pieces.toByteArray(), new ProtoBytes().message(2, new ProtoBytes().varint(3, 3)).toByteArray());
        byte[] nfkc = concat(pieces.toByteArray(), new ProtoBytes().message(3,
                new ProtoBytes().string(1, "nmt_nfkc").bytes(2, new byte[] {1, 2, 3})).toByteArray());

        assertRefused(write("word.model", word), "model type WORD is not supported (BPE and UNIGRAM are)");
        assertRefused(write("nfkc.model", nfkc), "normalizer 'nmt_nfkc' with a precompiled_charsmap of 3 bytes is not supported");
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkipped() throws IOException {
        byte[] extra = new ProtoBytes()
                .varint(99, 7).fixed64(100, 42).fixed32(101, 1.5f).string(102, "ignored")
                .toByteArray();
        Path file = write("extended.model", concat(extra, real, extra));

        SentencePieceTokenizer extended = SentencePieceTokenizer.fromModelFile(file);
        SentencePieceTokenizer original = SentencePieceTokenizer.fromModelFile(SentencePieceReference.modelFile());

        assertThat(extended.vocabulary()).isEqualTo(original.vocabulary());
    }

    /** Cut anywhere, or with any byte changed, the real file either still reads or is refused cleanly. */
    @Test
    void everyTruncationAndRandomCorruptionEndsCleanly() {
        Path file = dir.resolve("damaged.model");
        for (int length = 0; length < real.length; length += 3) {
            readsOrIsRefused(file, Arrays.copyOf(real, length), "truncated to " + length + " bytes");
        }
        Random random = new Random(20240601);
        for (int round = 0; round < 2000; round++) {
            byte[] damaged = real.clone();
            int at = random.nextInt(damaged.length);
            damaged[at] = (byte) random.nextInt(256);
            readsOrIsRefused(file, damaged, "byte " + at + " set to " + (damaged[at] & 0xFF));
        }
    }

    private static void readsOrIsRefused(Path file, byte[] bytes, String damage) {
        try {
            SentencePieceTokenizer.fromVocabulary(ModelProtoReader.parse(file, bytes)).encode("Once upon a time");
        } catch (TokenizerFileException e) {
            assertThat(e.getMessage()).as(damage).startsWith(file.toString()).doesNotContain("\n");
        } catch (RuntimeException e) {
            fail(damage + " ended in " + e, e);
        }
    }

    private static void assertRefused(Path file, String... fragments) {
        assertThatThrownBy(() -> SentencePieceTokenizer.fromModelFile(file))
                .isInstanceOf(TokenizerFileException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContainingAll(fragments)
                .message().doesNotContain("\n");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static byte[] concat(byte[]... parts) {
        int total = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[total];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
