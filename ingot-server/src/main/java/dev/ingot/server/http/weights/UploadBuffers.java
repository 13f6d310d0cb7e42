package dev.ingot.server.http.weights;

import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * Jetty's read buffers sized for bucket uploads. By default Jetty reads a request body 8 KiB at a
 * time: a 650 MB FULL update is then some 80,000 reads through its content machinery, and on the
 * development VM a handler that only drains the body reaches about 0.7-0.9 GB/s, well below what the
 * loopback socket carries. Reading 256 KiB at a time (from a pool that keeps buffers of that size:
 * Jetty's default pool does not, and a fresh direct buffer per read is slower still) doubles that.
 * JSON requests are unaffected: a read returns what has arrived, and the buffer goes back to the pool
 * between requests.
 *
 * <p>Use: {@code Javalin.create(cfg -> cfg.jetty.modifyServer(UploadBuffers::apply))}.
 */
public final class UploadBuffers {

    /** Bytes Jetty reads from a connection at once. */
    public static final int READ_BYTES = 256 << 10;
    private static final int LARGEST_POOLED = 4 << 20;
    private static final int POOL_BUCKET_BYTES = 1024;

    private UploadBuffers() {}

    /** Installs the pool and, once the connectors exist (just before the server starts), their read size. */
    public static void apply(Server server) {
        server.addBean(new ArrayByteBufferPool(0, POOL_BUCKET_BYTES, LARGEST_POOLED));
        server.addEventListener(new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarting(LifeCycle event) {
                for (Connector connector : server.getConnectors()) {
                    HttpConnectionFactory http = connector.getConnectionFactory(HttpConnectionFactory.class);
                    if (http != null) {
                        http.setInputBufferSize(READ_BYTES);
                    }
                }
            }
        });
    }
}
