package dev.ingot.server.http;

import dev.ingot.engine.schedule.SchedulerConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * How to run the HTTP server.
 *
 * @param host           address to bind (loopback unless told otherwise)
 * @param port           0 picks a free port ({@link IngotServer#port()} tells which)
 * @param modelName      the name clients use in {@code "model"}
 * @param scheduler      batch bounds
 * @param limits         per-request limits
 * @param shutdownGrace  how long running requests may take to finish at shutdown before they are cancelled
 * @param weightRoutes   settings for the weight-update routes
 */
public record ServerConfig(String host, int port, String modelName, SchedulerConfig scheduler, Limits limits,
        Duration shutdownGrace, WeightRouteOptions weightRoutes) {

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(modelName, "modelName");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
    }

    /** Loopback, a free port, default limits: what tests and embedders start from. */
    public static ServerConfig loopback(String modelName) {
        return new ServerConfig("127.0.0.1", 0, modelName, SchedulerConfig.defaults(), Limits.defaults(), Duration.ofSeconds(30),
                WeightRouteOptions.disabled());
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, modelName, scheduler, limits, shutdownGrace, weightRoutes);
    }

    public ServerConfig withScheduler(SchedulerConfig s) {
        return new ServerConfig(host, port, modelName, s, limits, shutdownGrace, weightRoutes);
    }

    public ServerConfig withLimits(Limits l) {
        return new ServerConfig(host, port, modelName, scheduler, l, shutdownGrace, weightRoutes);
    }

    public ServerConfig withShutdownGrace(Duration d) {
        return new ServerConfig(host, port, modelName, scheduler, limits, d, weightRoutes);
    }

    public ServerConfig withWeightRoutes(WeightRouteOptions w) {
        return new ServerConfig(host, port, modelName, scheduler, limits, shutdownGrace, w);
    }
}
