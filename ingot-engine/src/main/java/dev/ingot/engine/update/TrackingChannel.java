package dev.ingot.engine.update;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Counts the bytes read from a channel and remembers whether it ended, so a bucket can tell a body
 * that was cut off (the client may retry) from one whose content is wrong (the update is rejected).
 */
final class TrackingChannel implements ReadableByteChannel {

    private final ReadableByteChannel in;
    private long position;
    private boolean ended;

    TrackingChannel(ReadableByteChannel in) {
        this.in = in;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int n;
        try {
            n = in.read(dst);
        } catch (IOException e) {
            ended = true; // a broken connection is an early end too
            throw e;
        }
        if (n < 0) {
            ended = true;
        } else {
            position += n;
        }
        return n;
    }

    long position() {
        return position;
    }

    boolean ended() {
        return ended;
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
