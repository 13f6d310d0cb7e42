package dev.ingot.plugins.gguf;

import dev.ingot.spi.CheckpointException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks where a GGUF header puts each tensor's data: at an offset that is a multiple of the
 * alignment, entirely inside the file, and not overlapping any other tensor. Run before a single
 * tensor is handed out, so a lying header cannot make a slice read someone else's bytes.
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
            long start = header.absoluteOffset(tensor);
            if (start < 0 || start > fileSize || tensor.byteSize() > fileSize - start) {
                throw new CheckpointException(file + ": tensor '" + tensor.name() + "' data [" + start + ", "
                        + endOrOverflow(start, tensor.byteSize()) + ") lies beyond the end of the file (" + fileSize
                        + " bytes; truncated or corrupt)");
            }
        }
        List<GgufTensorEntry> byOffset = new ArrayList<>(header.tensors());
        byOffset.sort(Comparator.comparingLong(GgufTensorEntry::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensorEntry before = byOffset.get(i - 1);
            GgufTensorEntry after = byOffset.get(i);
            if (before.offset() + before.byteSize() > after.offset()) {
                throw new CheckpointException(file + ": tensors '" + before.name() + "' (data offsets [" + before.offset()
                        + ", " + (before.offset() + before.byteSize()) + ")) and '" + after.name() + "' (from "
                        + after.offset() + ") overlap");
            }
        }
    }

    private static String endOrOverflow(long start, long size) {
        try {
            return Long.toString(Math.addExact(start, size));
        } catch (ArithmeticException e) {
            return "beyond 2^63";
        }
    }
}
