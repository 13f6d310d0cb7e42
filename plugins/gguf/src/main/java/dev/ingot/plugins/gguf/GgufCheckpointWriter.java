package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Writes canonical weights of a Llama (or Mistral) model as a GGUF v3 file llama.cpp loads, the inverse
 * of {@link GgufWeightMapper}: the {@code llama.*} hyper-parameters under the keys llama.cpp's converter
 * ({@code convert_hf_to_gguf.py}) writes, tensors under llama.cpp's names, q/k rows turned back from
 * rotate-half into the interleaved RoPE order ({@code LlamaModel.permute}; k with the kv heads), and the
 * vocabulary as a {@code llama} (SentencePiece) tokenizer when the engine hands one over.
 *
 * <p>Tensors keep their type: F32, F16, BF16 and the GGML blocks Q8_0/Q4_0/Q5_0/Q5_1/Q4_K/Q6_K are written as the
 * bytes they are (a q/k permutation moves whole rows, which are whole blocks). 1-D tensors (norms) are
 * widened to F32, as llama.cpp's converter keeps them. The file is written beside its name and moved
 * into place, so a failed write leaves nothing that looks like a checkpoint.
 */
final class GgufCheckpointWriter implements CheckpointWriter {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Canonical layer tensors and llama.cpp's names for them, in the order the converter writes a block. */
    private static final Map<String, IntFunction<String>> LAYER = layerNames();

    private static Map<String, IntFunction<String>> layerNames() {
        Map<String, IntFunction<String>> names = new LinkedHashMap<>();
        names.put("attn_norm.weight", HfNames::attnNorm);
        names.put("attn_q.weight", HfNames::q);
        names.put("attn_q.bias", HfNames::qBias);
        names.put("attn_k.weight", HfNames::k);
        names.put("attn_k.bias", HfNames::kBias);
        names.put("attn_v.weight", HfNames::v);
        names.put("attn_v.bias", HfNames::vBias);
        names.put("attn_output.weight", HfNames::o);
        names.put("ffn_norm.weight", HfNames::ffnNorm);
        names.put("ffn_gate.weight", HfNames::gate);
        names.put("ffn_up.weight", HfNames::up);
        names.put("ffn_down.weight", HfNames::down);
        return names;
    }

    @Override
    public void write(Path location, ModelSpec spec, ModelConfig config, Map<String, Tensor> canonical) throws IOException {
        write(location, spec, config, canonical, Optional.empty());
    }

    @Override
    public boolean write(Path location, ModelSpec spec, ModelConfig config, Map<String, Tensor> canonical,
            Optional<SentencePieceVocabulary> vocabulary) throws IOException {
        if (!List.of("llama", "mistral").contains(spec.architecture())) {
            throw new CheckpointException(location + ": cannot write a GGUF file: only the llama architecture (Llama, Mistral) "
                    + "is written, the model is '" + spec.architecture() + "'");
        }
        if (Files.isDirectory(location)) {
            throw new CheckpointException(location + ": a GGUF checkpoint is a single file, and this is a folder");
        }
        if (spec.ropeScaling() instanceof RopeScaling.Llama3) {
            throw new CheckpointException(location + ": cannot write a GGUF file: Llama 3 RoPE scaling (rope_freqs.weight) is not written");
        }
        try (Arena arena = Arena.ofConfined()) {
            GgufFileWriter gguf = new GgufFileWriter();
            metadata(gguf, location, spec, canonical);
            vocabulary.ifPresent(v -> vocabulary(gguf, v));
            tensors(gguf, location, spec, canonical, arena);
            Path absolute = location.toAbsolutePath();
            Files.createDirectories(absolute.getParent());
            Path temporary = absolute.resolveSibling(absolute.getFileName() + ".tmp");
            try {
                gguf.write(temporary);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temporary);
                throw e;
            }
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return vocabulary.isPresent();
    }

    private static void metadata(GgufFileWriter gguf, Path location, ModelSpec spec, Map<String, Tensor> canonical) {
        String p = "llama.";
        gguf.string(GgufConfig.ARCHITECTURE_KEY, "llama")
                .string("general.name", nameOf(location))
                .uint32(p + "context_length", spec.maxPositions())
                .uint32(p + "embedding_length", spec.hiddenSize())
                .uint32(p + "feed_forward_length", spec.ffnSize())
                .uint32(p + "block_count", spec.layers())
                .uint32(p + "attention.head_count", spec.heads())
                .uint32(p + "attention.head_count_kv", spec.kvHeads())
                .float32(p + "rope.freq_base", (float) spec.ropeTheta())
                .float32(p + "attention.layer_norm_rms_epsilon", (float) spec.normEps())
                .uint32(p + "vocab_size", spec.vocabSize())
                .uint32(p + "rope.dimension_count", spec.headDim());
        if (spec.headDim() * spec.heads() != spec.hiddenSize()) {
            gguf.uint32(p + "attention.key_length", spec.headDim()).uint32(p + "attention.value_length", spec.headDim());
        }
        if (spec.ropeScaling() instanceof RopeScaling.Linear linear) {
            gguf.string(p + "rope.scaling.type", "linear").float32(p + "rope.scaling.factor", (float) linear.factor());
        }
        DType mostly = mostlyType(canonical);
        gguf.uint32("general.file_type", fileType(mostly));
        if (mostly.blockElements() > 1) {
            gguf.uint32("general.quantization_version", 2);
        }
    }

    private static String nameOf(Path location) {
        String file = location.getFileName().toString();
        return file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }

    /** The type most matrix bytes are in (the embedding aside, which quantizers often leave wider). */
    private static DType mostlyType(Map<String, Tensor> canonical) {
        Map<DType, Long> bytes = new LinkedHashMap<>();
        for (Tensor t : canonical.values()) {
            if (t.info().shape().rank() == 2 && !t.name().equals(HfNames.EMBED)) {
                bytes.merge(t.info().dtype(), t.info().shape().elementCount(), Long::sum);
            }
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(DType.F32);
    }

    /** llama.cpp's {@code general.file_type} (LLAMA_FTYPE_ALL_F32, MOSTLY_F16, MOSTLY_Q4_0, …). */
    private static int fileType(DType mostly) {
        return switch (mostly) {
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q5_0 -> 8;
            case Q5_1 -> 9;
            case Q4_K -> 15;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> 0;
        };
    }

    /** A SentencePiece vocabulary as llama.cpp's {@code llama} tokenizer keys. */
    private static void vocabulary(GgufFileWriter gguf, SentencePieceVocabulary vocabulary) {
        int[] types = new int[vocabulary.pieces().size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = vocabulary.types().get(i).ordinal() + 1; // SentencePiece numbers types from 1 (NORMAL)
        }
        gguf.string(GgufTokenizers.MODEL_KEY, "llama")
                .strings(GgufTokenizers.TOKENS_KEY, vocabulary.pieces())
                .floats("tokenizer.ggml.scores", vocabulary.scores())
                .int32s(GgufTokenizers.TYPES_KEY, types);
        if (vocabulary.bosId() >= 0) {
            gguf.uint32(GgufTokenizers.BOS_KEY, vocabulary.bosId());
        }
        if (vocabulary.eosId() >= 0) {
            gguf.uint32(GgufTokenizers.EOS_KEY, vocabulary.eosId());
        }
        if (vocabulary.unkId() >= 0) {
            gguf.uint32("tokenizer.ggml.unknown_token_id", vocabulary.unkId());
        }
        gguf.bool(GgufTokenizers.ADD_BOS_KEY, vocabulary.bosId() >= 0)
                .bool("tokenizer.ggml.add_eos_token", false)
                .bool("tokenizer.ggml.add_space_prefix", vocabulary.addDummyPrefix());
    }

    private static void tensors(GgufFileWriter gguf, Path location, ModelSpec spec, Map<String, Tensor> canonical, Arena arena)
            throws CheckpointException {
        Set<String> written = new HashSet<>();
        put(gguf, location, "token_embd.weight", required(location, canonical, HfNames.EMBED), arena, written);
        for (int layer = 0; layer < spec.layers(); layer++) {
            for (Map.Entry<String, IntFunction<String>> part : LAYER.entrySet()) {
                Tensor tensor = canonical.get(part.getValue().apply(layer));
                if (tensor == null) {
                    continue;
                }
                String name = part.getKey();
                if (name.startsWith("attn_q.") || name.startsWith("attn_k.")) {
                    int heads = name.startsWith("attn_q.") ? spec.heads() : spec.kvHeads();
                    tensor = halvesToInterleaved(tensor, heads, arena);
                }
                put(gguf, location, "blk." + layer + "." + name, tensor, arena, written);
            }
        }
        put(gguf, location, "output_norm.weight", required(location, canonical, HfNames.FINAL_NORM), arena, written);
        if (!spec.tiedEmbeddings()) {
            put(gguf, location, "output.weight", required(location, canonical, HfNames.LM_HEAD), arena, written);
        }
        List<String> left = new ArrayList<>();
        for (String name : canonical.keySet()) {
            if (!written.contains(name)) {
                left.add(name);
            }
        }
        if (!left.isEmpty()) {
            throw new CheckpointException(location + ": cannot write a GGUF file: llama.cpp's llama architecture has no tensor for "
                    + left);
        }
    }

    private static Tensor required(Path location, Map<String, Tensor> canonical, String name) throws CheckpointException {
        Tensor tensor = canonical.get(name);
        if (tensor == null) {
            throw new CheckpointException(location + ": cannot write the GGUF file: tensor '" + name + "' is missing");
        }
        return tensor;
    }

    private static void put(GgufFileWriter gguf, Path location, String name, Tensor tensor, Arena arena, Set<String> written)
            throws CheckpointException {
        written.add(tensor.name());
        MemorySegment data = tensor.data();
        DType type = tensor.info().dtype();
        long[] shape = tensor.info().shape().dims();
        if (shape.length == 1 && type != DType.F32) {
            data = widened(data, type, shape[0], arena, location, tensor.name());
            type = DType.F32;
        }
        DType stored = type;
        GgmlType ggml = Arrays.stream(GgmlType.values()).filter(t -> t.dtype().equals(Optional.of(stored))).findFirst()
                .orElseThrow(() -> new CheckpointException(location + ": cannot write tensor '" + tensor.name() + "': GGUF has no type "
                        + stored + " that llama.cpp reads"));
        gguf.tensor(name, ggml, shape, data);
    }

    private static MemorySegment widened(MemorySegment data, DType type, long count, Arena arena, Path location, String name)
            throws CheckpointException {
        if (type != DType.F16 && type != DType.BF16) {
            throw new CheckpointException(location + ": cannot write 1-D tensor '" + name + "' of type " + type + " as F32");
        }
        MemorySegment out = arena.allocate(count * Float.BYTES, Float.BYTES);
        for (long i = 0; i < count; i++) {
            short bits = data.getAtIndex(HALF, i);
            out.setAtIndex(FLOAT, i, type == DType.F16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat(bits << 16));
        }
        return out;
    }

    /**
     * Rotate-half rows back to interleaved pairs within each head (row {@code r} of a head's first half to
     * {@code 2r}, row {@code r} of its second half to {@code 2r + 1}): the inverse of
     * {@code RopeInterleavedToHalves}. A row is a run of whole blocks in any type, so its bytes move as they are.
     */
    static Tensor halvesToInterleaved(Tensor tensor, int heads, Arena arena) {
        long rows = tensor.info().shape().dim(0);
        long rowBytes = tensor.info().byteSize() / rows;
        long headDim = rows / heads;
        long half = headDim / 2;
        MemorySegment out = arena.allocate(tensor.info().byteSize(), 64);
        for (long row = 0; row < rows; row++) {
            long within = row % headDim;
            long target = row - within + (within < half ? 2 * within : 2 * (within - half) + 1);
            MemorySegment.copy(tensor.data(), row * rowBytes, out, target * rowBytes, rowBytes);
        }
        return new Tensor(tensor.info(), out);
    }
}
