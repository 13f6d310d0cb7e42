package dev.ingot.plugins.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ingot.plugins.gguf.testing.GgufWriter;
import dev.ingot.plugins.gguf.testing.GgufWriter.TensorType;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Header and metadata parsing, on a file assembled byte by byte from the spec and on files our writer makes. */
class GgufHeaderTest {

    @TempDir
    Path dir;
    private final GgufFormat format = new GgufFormat();

    /** Little-endian bytes, field by field, exactly as the GGUF spec's structs lay them out. */
    private static final class SpecBytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        SpecBytes u32(long v) { out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array()); return this; }
        SpecBytes u64(long v) { out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array()); return this; }
        SpecBytes f32(float v) { return u32(Float.floatToRawIntBits(v)); }
        SpecBytes f64(double v) { return u64(Double.doubleToRawLongBits(v)); }
        SpecBytes u16(int v) { out.write(v & 0xFF); out.write(v >>> 8); return this; }
        SpecBytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }
        SpecBytes padTo(int alignment) {
            while (out.size() % alignment != 0) {
                out.write(0);
            }
            return this;
        }
        int size() { return out.size(); }
        byte[] bytes() { return out.toByteArray(); }
    }

    /**
     * A two-tensor llama file written without our writer: header (magic, version 3, 2 tensors, 15
     * key/values), counts in u32 and u64, floats in f32 and f64, an array of strings, then two tensor
     * infos (ne innermost first), padding to 32 and the data.
     */
    @Test
    void readsAFileAssembledFromTheSpec() throws IOException {
        SpecBytes f = new SpecBytes();
        f.out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        f.u32(3).u64(2).u64(15);
        f.str("general.architecture").u32(8).str("llama");
        f.str("general.tags").u32(9).u32(8).u64(2).str("tiny").str("hand-made");
        f.str("llama.embedding_length").u32(4).u32(4);
        f.str("llama.block_count").u32(10).u64(1);
        f.str("llama.feed_forward_length").u32(4).u32(8);
        f.str("llama.attention.head_count").u32(4).u32(2);
        f.str("llama.attention.head_count_kv").u32(4).u32(1);
        f.str("llama.context_length").u32(5).u32(16);
        f.str("llama.attention.layer_norm_rms_epsilon").u32(12).f64(1e-6);
        f.str("llama.rope.freq_base").u32(6).f32(500000f);
        f.str("general.some_flag").u32(7).out.write(1);
        f.str("tokenizer.ggml.model").u32(8).str("llama");
        // SentencePiece BPE reaches "▁hi" through "▁h": a piece needs its merge path in the vocabulary
        f.str("tokenizer.ggml.tokens").u32(9).u32(8).u64(5).str("<unk>").str("<s>").str("</s>").str("▁h").str("▁hi");
        f.str("tokenizer.ggml.bos_token_id").u32(4).u32(1);
        f.str("tokenizer.ggml.eos_token_id").u32(2).u16(2);
        // tensor infos: name, n_dims, ne[], ggml type, offset (relative to the data section)
        f.str("token_embd.weight").u32(2).u64(4).u64(5).u32(0).u64(0);
        f.str("output_norm.weight").u32(1).u64(4).u32(1).u64(96);
        f.padTo(32);
        int dataStart = f.size();
        for (int i = 0; i < 20; i++) {
            f.f32(i * 0.5f);
        }
        f.padTo(32); // the next tensor's offset, 96, is aligned
        f.u16(0x3C00).u16(0x4000).u16(0xB800).u16(0x3400); // f16 1.0, 2.0, -0.5, 0.25
        Path file = dir.resolve("spec.gguf");
        Files.write(file, f.bytes());

        try (Checkpoint checkpoint = format.open(file, TestEngine.SERVICES)) {
            ModelSpec spec = TestEngine.spec(checkpoint.config());
            assertThat(spec).isEqualTo(ModelSpec.builder().architecture("llama").hiddenSize(4).layers(1).heads(2)
                    .kvHeads(1).headDim(2).ffnSize(8).vocabSize(5).ropeTheta(500000).ropeScaling(RopeScaling.NONE)
                    .normEps(1e-6).tiedEmbeddings(true).maxPositions(16).bosTokenId(1).eosTokenIds(List.of(2)).build());
            assertThat(checkpoint.tensors().list()).containsExactly(
                    TensorInfo.of("token_embd.weight", DType.F32, 5, 4),
                    TensorInfo.of("output_norm.weight", DType.F16, 4));
            Tensor embedding = checkpoint.tensors().read("token_embd.weight");
            assertThat(DeclaredOps.floats(embedding)).containsExactly(
                    0f, 0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f, 4f, 4.5f, 5f, 5.5f, 6f, 6.5f, 7f, 7.5f, 8f, 8.5f, 9f, 9.5f);
            assertThat(embedding.data().address() - checkpoint.tensors().read("output_norm.weight").data().address())
                    .isEqualTo(-96);
            assertThat(DeclaredOps.floats(checkpoint.tensors().read("output_norm.weight"))).containsExactly(1f, 2f, -0.5f, 0.25f);
            assertThat(checkpoint.tokenizer().orElseThrow().encode("hi")).containsExactly(4);
            assertThat(dataStart % 32).isZero();
        }
    }

    /** Every metadata value type, nested arrays and a custom alignment: the tensor after them must land exactly. */
    @Test
    void everyValueTypeIsConsumedExactlyAndTheAlignmentIsHonoured() throws IOException {
        float[] values = new float[TinyLlama.HIDDEN];
        for (int i = 0; i < values.length; i++) {
            values[i] = i - 7.25f;
        }
        Path file = TinyLlama.writer()
                .alignment(64)
                .uint8("test.u8", 200).int8("test.i8", -100).uint16("test.u16", 60000).int16("test.i16", -30000)
                .uint32("test.u32", 4_000_000_000L).int32("test.i32", -2_000_000_000)
                .uint64("test.u64", -1L).int64("test.i64", Long.MIN_VALUE)
                .float32("test.f32", 1.5f).float64("test.f64", -2.25).bool("test.bool", false)
                .string("test.utf8", "naïve ▁ 😀")
                .raw("test.nested", GgufWriter.ARRAY, GgufWriter.array(GgufWriter.ARRAY, 2, concat(
                        GgufWriter.array(GgufWriter.INT16, 1, new byte[] {1, 0}),
                        GgufWriter.array(GgufWriter.STRING, 1, GgufWriter.string("x")))))
                .floats("test.floats", new float[] {1, 2, 3})
                .tensor("output_norm.weight", TensorType.F32, new long[] {TinyLlama.HIDDEN}, values)
                .write(dir.resolve("types.gguf"));
        try (Checkpoint checkpoint = format.open(file, TestEngine.SERVICES)) {
            Tensor norm = checkpoint.tensors().read("output_norm.weight");
            assertThat(DeclaredOps.floats(norm)).containsExactly(values);
            // the data section starts on a 64-byte boundary of the file
            long fileSize = Files.size(file);
            assertThat((fileSize - TinyLlama.HIDDEN * 4L) % 64).isZero();
            assertThat(TestEngine.spec(checkpoint.config()).normEps()).isEqualTo(1e-5);
        }
    }

    @Test
    void bf16AndF16AreZeroCopyWeightTypes() throws IOException {
        float[] values = new float[TinyLlama.HIDDEN];
        for (int i = 0; i < values.length; i++) {
            values[i] = 1f / (i + 1);
        }
        Path file = TinyLlama.writer()
                .tensor("output_norm.weight", TensorType.BF16, new long[] {TinyLlama.HIDDEN}, values)
                .tensor("blk.0.attn_norm.weight", TensorType.F16, new long[] {TinyLlama.HIDDEN}, values)
                .write(dir.resolve("halves.gguf"));
        try (Checkpoint checkpoint = format.open(file, TestEngine.SERVICES)) {
            Tensor bf16 = checkpoint.tensors().read("output_norm.weight");
            assertThat(bf16.info().dtype()).isEqualTo(DType.BF16);
            assertThat(bf16.data().isMapped()).isTrue();
            assertThat(format.mapper(TestEngine.spec(checkpoint.config())).map(bf16.info())).isEqualTo(
                    TensorMapping.to("model.norm.weight"));
            float[] decoded = DeclaredOps.floats(bf16);
            for (int i = 0; i < values.length; i++) {
                assertThat(decoded[i]).isCloseTo(values[i], within(Math.abs(values[i]) / 128));
            }
            assertThat(checkpoint.tensors().read("blk.0.attn_norm.weight").info().dtype()).isEqualTo(DType.F16);
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List.of(parts).forEach(out::writeBytes);
        return out.toByteArray();
    }
}
