package dev.ingot.plugins.gguf;

import java.util.List;

/**
 * Everything before a GGUF file's tensor data: the version, the metadata, the tensor infos, the
 * alignment in force and where (from the start of the file) the aligned data section begins.
 */
record GgufHeader(int version, GgufMetadata metadata, List<GgufTensorEntry> tensors, long alignment, long dataStart) {

    static final String ALIGNMENT_KEY = "general.alignment";
    static final long DEFAULT_ALIGNMENT = 32;

    GgufHeader {
        tensors = List.copyOf(tensors);
    }

    /** The file offset of a tensor's first byte. */
    long absoluteOffset(GgufTensorEntry tensor) {
        return dataStart + tensor.offset();
    }
}
