package dev.ingot.server.http.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A request body as a channel, moved in large chunks: {@code Channels.newChannel} copies through an
 * 8 KiB array, which caps a multi-gigabyte upload well below what a loopback socket carries.
 */
final class InputStreamChannel implements ReadableByteChannel {

    private static final int CHUNK = 1 << 20;

    private final InputStream in;
    private final byte[] transfer = new byte[CHUNK];
    private boolean open = true;

    InputStreamChannel(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (dst.hasArray()) {
            int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        int n = in.read(transfer, 0, Math.min(CHUNK, dst.remaining()));
        if (n > 0) {
            dst.put(transfer, 0, n);
        }
        return n;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
