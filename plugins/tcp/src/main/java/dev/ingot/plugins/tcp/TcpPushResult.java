package dev.ingot.plugins.tcp;

/**
 * A committed push.
 *
 * @param version       the version now served
 * @param label         its label
 * @param tensors       canonical tensors the update set (the server's count)
 * @param bytes         tensor bytes sent
 * @param buckets       buckets sent
 * @param stagingMillis the server's time from begin to commit
 * @param swapMillis    the swap itself
 * @param nanos         the push's wall time on the client, connect to the commit's answer
 */
public record TcpPushResult(long version, String label, int tensors, long bytes, int buckets, long stagingMillis, long swapMillis,
        long nanos) {

    public double bytesPerSecond() {
        return bytes / (nanos / 1e9);
    }
}
