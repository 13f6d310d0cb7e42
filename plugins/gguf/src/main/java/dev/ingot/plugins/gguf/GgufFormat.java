package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.engine.MappedTensor;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.mapping.WeightMapper;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * llama.cpp's single-file GGUF checkpoints (versions 2 and 3, little-endian) of the llama, qwen2 and
 * qwen3 architectures. Tensors are handed over exactly as stored, F32/F16/BF16 and the GGML block
 * types Q8_0/Q4_0/Q5_0/Q5_1/Q4_K/Q6_K alike, as views of the file the engine maps; any other type is refused at open.
 */
public final class GgufFormat implements CheckpointFormat {

    public static final String NAME = "gguf";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "llama.cpp GGUF file: llama, qwen2, qwen3 (F32/F16/BF16, Q8_0/Q4_0/Q5_0/Q5_1/Q4_K/Q6_K as stored)";
    }

    /** The magic and the version, nothing more: detection never parses the rest. */
    @Override
    public Detection detect(Path location, EngineServices engine) throws IOException {
        if (!Files.isRegularFile(location)) {
            return Detection.no("not a regular file");
        }
        Optional<Long> version = GgufHeaderReader.magicVersion(location);
        if (version.isEmpty()) {
            return Detection.no("no GGUF magic");
        }
        if (version.get() < 0) {
            return Detection.weak("GGUF magic but the file ends before the version");
        }
        if (!GgufHeaderReader.SUPPORTED_VERSIONS.contains((int) (long) version.get())) {
            return Detection.weak("GGUF magic but version " + version.get() + " (supported: "
                    + GgufHeaderReader.SUPPORTED_VERSIONS + ")");
        }
        return Detection.signature("GGUF magic, version " + version.get());
    }

    @Override
    public Checkpoint open(Path location, EngineServices engine) throws IOException {
        GgufHeader header = GgufHeaderReader.read(location);
        ModelConfig config = GgufConfig.read(header);
        List<MappedTensor> tensors = new ArrayList<>(header.tensors().size());
        for (GgufTensorEntry tensor : header.tensors()) {
            TensorInfo info = tensor.info().orElseThrow(() -> new CheckpointException(location + ": tensor '" + tensor.name()
                    + "' has GGML type " + tensor.type() + ", which this plugin does not hand over (supported: "
                    + GgmlType.supported() + ")"));
            tensors.add(new MappedTensor(info, header.absoluteOffset(tensor)));
        }
        return new GgufCheckpoint(config, engine.mapped(location, tensors), header.metadata(), engine);
    }

    /** Llama and Mistral as llama.cpp's {@code llama} architecture, with the vocabulary when the engine has one. */
    @Override
    public Optional<CheckpointWriter> writer() {
        return Optional.of(new GgufCheckpointWriter());
    }

    @Override
    public WeightMapper mapper(ModelSpec spec) {
        return new GgufWeightMapper(spec);
    }
}
