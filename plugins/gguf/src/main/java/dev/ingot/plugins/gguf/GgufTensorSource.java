package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of one GGUF file, in file order, each a zero-copy slice of the mapping. Quantized
 * tensors are handed out as their raw blocks (see {@link GgufTensorEntry#nativeInfo()}); the mapper
 * declares the kernel that decodes them.
 */
final class GgufTensorSource implements TensorSource {

    private final GgufFile file;
    private final Map<String, GgufTensorEntry> byName = new LinkedHashMap<>();
    private final List<TensorInfo> infos;

    GgufTensorSource(GgufFile file) {
        this.file = file;
        for (GgufTensorEntry tensor : file.header().tensors()) {
            byName.put(tensor.name(), tensor);
        }
        this.infos = file.header().tensors().stream().map(GgufTensorEntry::nativeInfo).toList();
    }

    @Override
    public List<TensorInfo> list() {
        return infos;
    }

    @Override
    public Tensor read(String name) throws IOException {
        GgufTensorEntry tensor = byName.get(name);
        if (tensor == null) {
            throw new CheckpointException(file.path() + ": no tensor '" + name + "' in this GGUF file");
        }
        if (!file.isOpen()) {
            throw new CheckpointException(file.path() + ": tensor '" + name + "' read after the checkpoint was closed");
        }
        long start = file.header().absoluteOffset(tensor);
        return new Tensor(tensor.nativeInfo(), file.mapping().asSlice(start, tensor.byteSize()));
    }

    @Override
    public void close() {
        file.close();
    }
}
