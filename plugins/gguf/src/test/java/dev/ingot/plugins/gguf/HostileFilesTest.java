package dev.ingot.plugins.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.plugins.gguf.testing.GgufWriter;
import dev.ingot.plugins.gguf.testing.GgufWriter.TensorType;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.format.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are broken or malicious: each fails with one line naming the file and what is wrong, and detection never throws. */
class HostileFilesTest {

    @TempDir
    Path dir;
    private final GgufFormat format = new GgufFormat();

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** Opening fails with a single-line CheckpointException starting with the file name. */
    private AbstractThrowableAssert<?, ? extends Throwable> assertRefused(Path file) throws IOException {
        format.detect(file, TestEngine.SERVICES); // must not throw, whatever the file is
        new GgufTokenizerProvider().detect(file, TestEngine.SERVICES);
        Throwable thrown = null;
        try {
            format.open(file, TestEngine.SERVICES).close();
        } catch (IOException e) {
            thrown = e;
        }
        assertThat(thrown).as("opening " + file + " must fail").isInstanceOf(CheckpointException.class);
        assertThat(thrown.getMessage()).startsWith(file + ": ").doesNotContain("\n");
        return assertThat(thrown);
    }

    /** Refused by the engine's mapping (tensor bounds, overlaps): its own one line, naming the file. */
    private void assertRefusedByTheEngine(Path file, String tensor) throws IOException {
        Throwable thrown = null;
        try {
            format.open(file, TestEngine.SERVICES).close();
        } catch (IOException e) {
            thrown = e;
        }
        assertThat(thrown).as("opening " + file + " must fail").isInstanceOf(CheckpointException.class);
        assertThat(thrown.getMessage()).contains(file.toString()).contains(tensor).doesNotContain("\n");
    }

    private static float[] ones(int n) {
        float[] values = new float[n];
        Arrays.fill(values, 1f);
        return values;
    }

    private static byte[] header(int version, long tensors, long kvs) {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {'G', 'G', 'U', 'F'}).putInt(version).putLong(tensors).putLong(kvs).array();
    }

    @Test
    void badMagic() throws IOException {
        Path file = write("bad.gguf", "GGML and then some".getBytes());
        assertThat(format.detect(file, TestEngine.SERVICES).matches()).isFalse();
        assertRefused(file).hasMessage(file + ": not a GGUF file: it does not start with the magic 'GGUF' (starts with 47 47 4d 4c)");
        Path empty = write("empty.gguf", new byte[0]);
        assertRefused(empty).hasMessage(empty + ": not a GGUF file: it does not start with the magic 'GGUF' (starts with nothing: the file is empty)");
    }

    @Test
    void unsupportedVersionsAndBigEndian() throws IOException {
        Path v1 = new GgufWriter().version(1).write(dir.resolve("v1.gguf"));
        assertThat(format.detect(v1, TestEngine.SERVICES).tier()).isEqualTo(Detection.Tier.WEAK);
        assertRefused(v1).hasMessage(v1 + ": GGUF version 1 is not supported; this plugin reads versions [2, 3] (at byte offset 8)");
        Path big = write("big.gguf", header(Integer.reverseBytes(3), 0, 0));
        assertRefused(big).hasMessage(big + ": big-endian GGUF file (version reads as 0x3000000); only little-endian files are supported (at byte offset 8)");
    }

    @Test
    void hugeStringLength() throws IOException {
        Path file = new GgufWriter().raw("general.name", GgufWriter.STRING,
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array()).write(dir.resolve("string.gguf"));
        assertRefused(file).hasMessage(file + ": truncated: metadata 'general.name' claims 1099511627776 bytes but only 8 are left (at byte offset 48)");
    }

    @Test
    void hugeKeyLengthAndCounts() throws IOException {
        byte[] key = ByteBuffer.allocate(100_000).order(ByteOrder.LITTLE_ENDIAN).put(header(3, 0, 1), 0, 24).putLong(70_000).array();
        Path longKey = write("key.gguf", key);
        assertRefused(longKey).hasMessage(longKey + ": metadata key #0 is 70000 bytes long, more than the 65535 allowed (at byte offset 24)");
        Path manyKeys = write("kvs.gguf", header(3, 0, 1L << 40));
        assertRefused(manyKeys).hasMessage(manyKeys + ": the header claims 1099511627776 metadata entries, more than the 0 bytes that follow can hold (truncated or corrupt) (at byte offset 24)");
        Path manyTensors = write("tensors.gguf", header(3, -1L, 0));
        assertRefused(manyTensors).hasMessage(manyTensors + ": tensor count is 18446744073709551615, far beyond any file (at byte offset 8)");
        Path bigArray = new GgufWriter().raw("tokenizer.ggml.scores", GgufWriter.ARRAY,
                GgufWriter.array(GgufWriter.FLOAT32, 1L << 40, new byte[0])).write(dir.resolve("array.gguf"));
        assertRefused(bigArray).hasMessage(bigArray + ": metadata 'tokenizer.ggml.scores' claims 1099511627776 float32 elements, more than the 27 bytes that follow can hold (truncated or corrupt) (at byte offset 61)");
    }

    @Test
    void tensorOffsetBeyondTheFile() throws IOException {
        Path file = TinyLlama.writer().rawTensor("output_norm.weight", TensorType.F32.id, new long[] {32}, 1L << 20, new byte[0])
                .write(dir.resolve("far.gguf"));
        long dataStart = Files.size(file);
        assertRefused(file).hasMessage(file + ": tensor 'output_norm.weight' data offset " + (1L << 20)
                + " lies beyond the end of the file (" + dataStart + " bytes; truncated or corrupt)");
    }

    @Test
    void overlappingTensors() throws IOException {
        Path file = TinyLlama.writer()
                .rawTensor("blk.0.attn_norm.weight", TensorType.F32.id, new long[] {32}, 0L, new byte[128])
                .rawTensor("output_norm.weight", TensorType.F32.id, new long[] {32}, 64L, new byte[128])
                .write(dir.resolve("overlap.gguf"));
        assertRefusedByTheEngine(file, "output_norm.weight");
    }

    @Test
    void misalignedOffset() throws IOException {
        Path file = TinyLlama.writer().rawTensor("output_norm.weight", TensorType.F32.id, new long[] {32}, 8L, new byte[128])
                .write(dir.resolve("misaligned.gguf"));
        assertRefused(file).hasMessage(file + ": tensor 'output_norm.weight' data offset 8 is not a multiple of the alignment 32");
    }

    @Test
    void unknownAndUnsupportedTensorTypes() throws IOException {
        Path unknown = TinyLlama.writer().rawTensor("output_norm.weight", 99, new long[] {32}, null, new byte[128])
                .write(dir.resolve("unknown.gguf"));
        assertRefused(unknown).hasMessageStartingWith(unknown + ": tensor 'output_norm.weight' has GGML type id 99, which this plugin does not know (at byte offset ");
        Path q5k = TinyLlama.writer(256).rawTensor("output_norm.weight", 13, new long[] {256}, null, new byte[176])
                .write(dir.resolve("q5k.gguf"));
        assertRefused(q5k).hasMessage(q5k + ": tensor 'output_norm.weight' has GGML type Q5_K, which this plugin does not hand over"
                + " (supported: [F32, F16, Q4_0, Q5_0, Q5_1, Q8_0, Q4_K, Q6_K, BF16])");
        Path partialBlock = TinyLlama.writer().rawTensor("output_norm.weight", TensorType.Q8_0.id, new long[] {30}, null, new byte[34])
                .write(dir.resolve("partial.gguf"));
        assertRefused(partialBlock).hasMessageStartingWith(partialBlock + ": tensor 'output_norm.weight' rows of ne[0] = 30 elements are not a whole number of Q8_0 blocks of 32");
    }

    /**
     * Q5_0 (id 6) and Q5_1 (id 7) blocks are 22 and 24 bytes for 32 weights: a header that claims more
     * rows than the file holds, or rows that are not whole blocks, is refused naming the tensor.
     */
    @Test
    void q5TensorsWithLyingShapesOrTruncatedDataAreRefused() throws IOException {
        Path shortData = TinyLlama.writer().rawTensor("blk.0.attn_k.weight", 6, new long[] {32, 8}, null, new byte[22 * 7])
                .write(dir.resolve("q5_0-short.gguf"));
        assertRefusedByTheEngine(shortData, "blk.0.attn_k.weight");
        Path partialBlock = TinyLlama.writer().rawTensor("blk.0.attn_k.weight", 7, new long[] {48, 8}, null, new byte[24 * 16])
                .write(dir.resolve("q5_1-partial.gguf"));
        assertRefused(partialBlock).hasMessageStartingWith(partialBlock
                + ": tensor 'blk.0.attn_k.weight' rows of ne[0] = 48 elements are not a whole number of Q5_1 blocks of 32");
    }

    @Test
    void truncatedFiles() throws IOException {
        byte[] whole = TinyLlama.writer().tensor("output_norm.weight", TensorType.F32, new long[] {32}, ones(32)).toBytes();
        Path inData = write("cut-data.gguf", Arrays.copyOf(whole, whole.length - 1));
        assertRefusedByTheEngine(inData, "output_norm.weight");
        Path inHeader = write("cut-header.gguf", Arrays.copyOf(whole, 100));
        assertRefused(inHeader).hasMessage(inHeader + ": the header claims 8 metadata entries, more than the 76 bytes that"
                + " follow can hold (truncated or corrupt) (at byte offset 24)");
        Path inMetadata = write("cut-metadata.gguf", Arrays.copyOf(whole, 250));
        assertRefused(inMetadata).hasMessage(inMetadata + ": truncated: metadata key #5 claims 20 bytes but only 19 are left (at byte offset 223)");
        Path inMagic = write("cut-magic.gguf", Arrays.copyOf(whole, 6));
        assertRefused(inMagic).hasMessage(inMagic + ": truncated: version needs 4 bytes but only 2 are left (at byte offset 4)");
    }

    @Test
    void malformedMetadata() throws IOException {
        Path bool = new GgufWriter().raw("general.flag", GgufWriter.BOOL, new byte[] {2}).write(dir.resolve("bool.gguf"));
        assertRefused(bool).hasMessage(bool + ": metadata 'general.flag' is a bool with byte value 2 (only 0 and 1 are valid) (at byte offset 48)");
        Path type = new GgufWriter().raw("general.thing", 13, new byte[8]).write(dir.resolve("type.gguf"));
        assertRefused(type).hasMessage(type + ": metadata 'general.thing' has unknown value type 13 (at byte offset 45)");
        Path twice = new GgufWriter().string("general.name", "a").string("general.name", "b").write(dir.resolve("twice.gguf"));
        assertRefused(twice).hasMessageStartingWith(twice + ": metadata 'general.name' appears twice");
        byte[] nested = GgufWriter.array(GgufWriter.UINT8, 0, new byte[0]);
        for (int depth = 0; depth < 5; depth++) {
            nested = GgufWriter.array(GgufWriter.ARRAY, 1, nested);
        }
        Path deep = new GgufWriter().raw("general.deep", GgufWriter.ARRAY, nested).write(dir.resolve("deep.gguf"));
        assertRefused(deep).hasMessageStartingWith(deep + ": metadata 'general.deep'[0][0][0][0] nests arrays more than 4 deep");
        Path alignment = new GgufWriter().alignment(12).write(dir.resolve("alignment.gguf"));
        assertRefused(alignment).hasMessage(alignment + ": metadata 'general.alignment' is 12; it must be a power of two of at least 8");
    }

    /** An architecture this plugin does not translate passes through as model_type, so the engine names the missing plugin. */
    @Test
    void unknownArchitecturesPassThroughAsModelType() throws IOException {
        Path gpt2 = new GgufWriter().string("general.architecture", "gpt2").uint32("gpt2.block_count", 2).write(dir.resolve("gpt2.gguf"));
        try (Checkpoint checkpoint = format.open(gpt2, TestEngine.SERVICES)) {
            ModelConfig config = checkpoint.config();
            assertThat(config.modelType()).contains("gpt2");
            assertThat(config.architectures()).isEmpty();
        }
    }

    @Test
    void modelsThisPluginCannotRun() throws IOException {
        Path noArch = new GgufWriter().write(dir.resolve("none.gguf"));
        assertRefused(noArch).hasMessage(noArch + ": metadata 'general.architecture' (the model architecture) is missing");
        Path wrongType = TinyLlama.writer().string("llama.attention.head_count_kv", "four").write(dir.resolve("kv.gguf"));
        assertRefused(wrongType).hasMessage(wrongType + ": metadata 'llama.attention.head_count_kv' must be an integer, got string \"four\"");
        Path mismatch = TinyLlama.writer().tensor("token_embd.weight", TensorType.F32, new long[] {3, 32}, ones(96))
                .write(dir.resolve("vocab.gguf"));
        assertRefused(mismatch).hasMessage(mismatch + ": tensor 'token_embd.weight' has 3 rows but the vocabulary has 2 tokens");
    }

    @Test
    void aTenMillionElementArrayIsKeptAsItsBytesNotAsAnObjectPerElement() throws IOException {
        int n = 10_000_000;
        Path file = new GgufWriter().raw("general.blob", GgufWriter.ARRAY, GgufWriter.array(GgufWriter.UINT8, n, new byte[n]))
                .write(dir.resolve("blob.gguf"));
        GgufHeader header = GgufHeaderReader.read(file);
        GgufValue blob = header.metadata().get("general.blob").orElseThrow();
        // one byte per uint8 element: 10 M Int records would take some 240 MB
        assertThat(blob).isInstanceOf(GgufValue.Packed.class);
        assertThat(((GgufValue.Packed) blob).data()).hasSize(n);
        assertThat(blob.describe()).isEqualTo("array[uint8; 10000000]");
    }

    @Test
    void aMillionStringArrayIsKeptAsItsBytesAndReadOnDemand() throws IOException {
        int n = 1_000_000;
        java.io.ByteArrayOutputStream elements = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            elements.writeBytes(GgufWriter.string(i % 2 == 0 ? "a" : "été"));
        }
        Path file = new GgufWriter().raw("general.names", GgufWriter.ARRAY, GgufWriter.array(GgufWriter.STRING, n, elements.toByteArray()))
                .write(dir.resolve("names.gguf"));
        GgufMetadata metadata = GgufHeaderReader.read(file).metadata();
        GgufValue names = metadata.get("general.names").orElseThrow();
        // the bytes as stored and one offset per element: a million String objects would be some 50 MB
        assertThat(names).isInstanceOf(GgufValue.Strings.class);
        assertThat(((GgufValue.Strings) names).data()).hasSize(elements.size());
        assertThat(names.describe()).isEqualTo("array[string; 1000000]");
        List<String> read = metadata.strings("general.names").orElseThrow();
        assertThat(read).hasSize(n);
        assertThat(read.get(0)).isEqualTo("a");
        assertThat(read.get(n - 1)).isEqualTo("été");
    }

    @Test
    void aStringArrayWithInvalidUtf8IsRefusedWhenRead() throws IOException {
        byte[] bad = java.nio.ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(2).put((byte) 0xC3).put((byte) 0x28).array();
        Path file = new GgufWriter().raw("general.names", GgufWriter.ARRAY,
                GgufWriter.array(GgufWriter.STRING, 2, concat(GgufWriter.string("ok"), bad))).write(dir.resolve("utf8.gguf"));
        assertRefused(file).hasMessageContaining("metadata 'general.names' element is not valid UTF-8");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void packedArraysReadAsTheyWereWritten() throws IOException {
        Path file = new GgufWriter().floats("tokenizer.ggml.scores", new float[] {1.5f, -2f})
                .int32s("tokenizer.ggml.token_type", new int[] {1, 3, -7}).write(dir.resolve("packed.gguf"));
        GgufMetadata metadata = GgufHeaderReader.read(file).metadata();
        assertThat(metadata.floats("tokenizer.ggml.scores").orElseThrow()).containsExactly(1.5f, -2f);
        assertThat(metadata.ints("tokenizer.ggml.token_type").orElseThrow()).containsExactly(1, 3, -7);
    }
}
