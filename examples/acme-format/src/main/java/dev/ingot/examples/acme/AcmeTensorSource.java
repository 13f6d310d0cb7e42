package dev.ingot.examples.acme;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.engine.MappedTensor;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * acme's tensors: one raw little-endian file per tensor. The engine maps each file (zero copy, one
 * tensor at offset 0); this source only puts the files together under their tensor names, in
 * manifest order, and closes them together.
 */
record AcmeTensorSource(Path folder, Map<String, TensorSource> files, List<TensorInfo> list) implements TensorSource {

    static AcmeTensorSource map(Path folder, AcmeManifest manifest, EngineServices engine) throws IOException {
        AcmeTensorSource source = new AcmeTensorSource(folder, new LinkedHashMap<>(),
                manifest.tensors().stream().map(AcmeManifest.Entry::info).toList());
        try {
            for (AcmeManifest.Entry entry : manifest.tensors()) {
                source.files.put(entry.info().name(), engine.mapped(entry.file(), List.of(new MappedTensor(entry.info(), 0))));
            }
            return source;
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    @Override
    public Tensor read(String name) throws IOException {
        TensorSource file = files.get(name);
        if (file == null) {
            throw new CheckpointException(folder + ": no tensor '" + name + "' in this acme checkpoint's " + AcmeNames.MANIFEST);
        }
        return file.read(name);
    }

    @Override
    public void close() throws IOException {
        for (TensorSource file : files.values()) {
            file.close();
        }
    }
}
