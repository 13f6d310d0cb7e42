package dev.ingot.server.http;

import dev.ingot.engine.schedule.SchedulerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
 * @param chatTemplate   a Jinja chat template file used instead of the model's ({@code --chat-template});
 *                       without one, a model that has no template answers chats with 400
 */
public record ServerConfig(String host, int port, String modelName, SchedulerConfig scheduler, Limits limits,
        Duration shutdownGrace, WeightRouteOptions weightRoutes, Optional<Path> chatTemplate) {

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(chatTemplate, "chatTemplate");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
    }

    /** Loopback, a free port, default limits: what tests and embedders start from. */
    public static ServerConfig loopback(String modelName) {
        return new ServerConfig("127.0.0.1", 0, modelName, SchedulerConfig.defaults(), Limits.defaults(), Duration.ofSeconds(30),
                WeightRouteOptions.disabled(), Optional.empty());
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, modelName, scheduler, limits, shutdownGrace, weightRoutes, chatTemplate);
    }

    public ServerConfig withScheduler(SchedulerConfig s) {
        return new ServerConfig(host, port, modelName, s, limits, shutdownGrace, weightRoutes, chatTemplate);
    }

    public ServerConfig withLimits(Limits l) {
        return new ServerConfig(host, port, modelName, scheduler, l, shutdownGrace, weightRoutes, chatTemplate);
    }

    public ServerConfig withShutdownGrace(Duration d) {
        return new ServerConfig(host, port, modelName, scheduler, limits, d, weightRoutes, chatTemplate);
    }

    public ServerConfig withWeightRoutes(WeightRouteOptions w) {
        return new ServerConfig(host, port, modelName, scheduler, limits, shutdownGrace, w, chatTemplate);
    }

    public ServerConfig withChatTemplate(Path file) {
        return new ServerConfig(host, port, modelName, scheduler, limits, shutdownGrace, weightRoutes, Optional.of(file));
    }
}
