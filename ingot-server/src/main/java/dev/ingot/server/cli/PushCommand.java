package dev.ingot.server.cli;

import dev.ingot.actor.PushResult;
import dev.ingot.actor.WeightPusher;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.server.http.weights.WeightApiConfig;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRequest;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ingot push}: sends a checkpoint any installed plugin can open to a running server as a live
 * weight update, in that format's native names (the server maps them with the same plugin).
 */
@Command(name = "push", description = "Push a checkpoint's weights into a running server as a new weight version.")
public final class PushCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--to", required = true, paramLabel = "URL", description = "The server, e.g. http://127.0.0.1:8080.")
    URI to;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TokenOption token;

    static final class TokenOption {
        @Option(names = "--token", paramLabel = "TOKEN", description = "The server's update token.")
        String value;

        @Option(names = "--token-file", paramLabel = "FILE", description = "A file whose first line is the update token.")
        Path file;
    }

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Checkpoint file or folder to push.")
    Path model;

    @Option(names = "--format", paramLabel = "NAME[@PLUGIN]", description = "Its format (default: detected).")
    String format;

    @Mixin
    PluginOptions pluginOptions = new PluginOptions();

    @Option(names = "--version", required = true, paramLabel = "N", description = "The version the weights will be served as.")
    long version;

    @Option(names = "--partial", description = "A PARTIAL update: only the tensors in the checkpoint change (default: FULL).")
    boolean partial;

    @Option(names = "--force", description = "Accept a version that is not above the served one.")
    boolean force;

    @Option(names = "--bucket-mb", defaultValue = "64", paramLabel = "N",
            description = "Largest bucket in MiB (default: ${DEFAULT-VALUE}); a bigger tensor goes alone.")
    double bucketMb;

    @Option(names = "--connections", defaultValue = "1", paramLabel = "N",
            description = "Buckets sent at once, each on its own connection, 1 to 16 (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--label", defaultValue = "", paramLabel = "TEXT", description = "Shown next to the version.")
    String label;

    @Option(names = "--policy", defaultValue = "finish", paramLabel = "finish|pause|abort|recompute",
            description = "What generating requests do at the swap (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--retries", defaultValue = "5", paramLabel = "N", description = "Retries per request (default: ${DEFAULT-VALUE}).")
    int retries;

    @Override
    public Integer call() throws Exception {
        if (!(bucketMb > 0)) {
            throw new IllegalArgumentException("--bucket-mb must be positive, got " + bucketMb);
        }
        SwapPolicy swapPolicy = parsePolicy(policy);
        String secret = token.file != null ? WeightApiConfig.readTokenFile(token.file) : token.value;
        PrintWriter out = spec.commandLine().getOut();
        try (PluginHost host = PluginHost.discover(pluginOptions.config(System::getenv))) {
            FormatChoice choice = host.select(model, Optional.ofNullable(format));
            // only the format is needed: the server maps and checks the native tensors against its own model
            try (Checkpoint checkpoint = host.guard(host.open(choice, model), choice, model);
                    WeightPusher pusher = WeightPusher.builder(to).token(secret).retries(retries)
                            .bucketBytes(Math.max(1, (long) (bucketMb * (1 << 20)))).connections(connections).build()) {
                UpdateRequest request = new UpdateRequest(version, partial ? UpdateMode.PARTIAL : UpdateMode.FULL,
                        choice.format().name(), label, swapPolicy, force);
                PushResult r = pusher.push(request, WeightPusher.tensorsOf(checkpoint.tensors()));
                out.printf(Locale.ROOT, "pushed %s as version %d to %s: %d tensors (format %s) in %d buckets, %.1f MB in %.2f s"
                                + " (%.1f MB/s), swap %d ms%s%n", model, r.version(), to, r.tensors(), choice.format().name(),
                        r.buckets(), r.bytes() / 1e6, r.elapsed().toNanos() / 1e9, r.bytesPerSecond() / 1e6, r.swapMillis(),
                        r.retries() == 0 ? "" : ", " + r.retries() + " retried");
                out.flush();
            }
        }
        return 0;
    }

    private static SwapPolicy parsePolicy(String text) {
        for (SwapPolicy p : SwapPolicy.values()) {
            if (p.name().equalsIgnoreCase(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("--policy must be finish, pause, abort or recompute, got '" + text + "'");
    }
}
