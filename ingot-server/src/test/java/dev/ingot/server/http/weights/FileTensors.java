package dev.ingot.server.http.weights;

import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/** Every tensor of a safetensors file, as views of its mapping, in file order. */
final class FileTensors {

    private FileTensors() {}

    static List<Tensor> all(SafetensorsFile file) throws CheckpointException {
        List<Tensor> out = new ArrayList<>();
        for (TensorInfo info : file.tensors()) {
            out.add(file.read(info.name()));
        }
        return out;
    }
}
