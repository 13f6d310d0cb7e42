package dev.ingot.plugins.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.zip.CRC32;

/**
 * Adds to a CRC-32 every byte read through it, right after each read, while the bytes are still in cache (the
 * reads land in the staged tensor's memory; a second pass over it afterwards would read it back from memory).
 */
final class ChecksummedChannel implements ReadableByteChannel {

    private final ReadableByteChannel in;
    private final CRC32 crc = new CRC32();

    ChecksummedChannel(ReadableByteChannel in) {
        this.in = in;
    }

    long value() {
        return crc.getValue();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int start = dst.position();
        int n = in.read(dst);
        if (n > 0) {
            crc.update(dst.duplicate().position(start).limit(start + n));
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return in.isOpen();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
