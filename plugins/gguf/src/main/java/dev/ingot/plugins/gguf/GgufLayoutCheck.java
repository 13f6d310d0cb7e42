package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import java.nio.file.Path;

/**
 * What only GGUF says about where tensor data lies: every offset is a multiple of the alignment, and
 * the data section starts inside the file. That each tensor lies inside the file and that none
 * overlap is checked by the engine when it maps them ({@code EngineServices.mapped}).
 */
final class GgufLayoutCheck {

    private GgufLayoutCheck() {}

    static void check(Path file, GgufHeader header, long fileSize) throws CheckpointException {
        if (!header.tensors().isEmpty() && header.dataStart() > fileSize) {
            throw new CheckpointException(file + ": truncated: the tensor data section would start at byte "
                    + header.dataStart() + " but the file has " + fileSize);
        }
        for (GgufTensorEntry tensor : header.tensors()) {
            if (tensor.offset() % header.alignment() != 0) {
                throw new CheckpointException(file + ": tensor '" + tensor.name() + "' data offset " + tensor.offset()
                        + " is not a multiple of the alignment " + header.alignment());
            }
            if (tensor.offset() > fileSize - header.dataStart()) {
                throw new CheckpointException(file + ": tensor '" + tensor.name() + "' data offset " + tensor.offset()
                        + " lies beyond the end of the file (" + fileSize + " bytes; truncated or corrupt)");
            }
        }
    }
}
