package dev.ingot.plugins.tcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The transport's settings ({@code --transport-option key=value}).
 *
 * @param bind           address to listen on; loopback unless the user says otherwise
 * @param port           port; 0 picks a free one (the log line and {@code endpoint()} name it)
 * @param token          what every {@code begin} head must carry (from {@code token-file}, first line, as
 *                       {@code --update-token-file} reads it)
 * @param maxConnections connections served at once; one more is answered {@code busy} and closed
 * @param idleTimeout    a connection that sends nothing for this long is closed (and its update aborted)
 * @param maxHeadBytes   the longest head line read
 */
record TcpOptions(String bind, int port, byte[] token, int maxConnections, Duration idleTimeout, int maxHeadBytes) {

    static final Set<String> KEYS = Set.of("bind", "port", "token-file", "max-connections", "idle-timeout-s", "max-head-bytes");

    static TcpOptions parse(Map<String, String> options) throws IOException {
        for (String key : options.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IOException("tcp transport: unknown option '" + key + "' (known: bind, port, token-file, max-connections, "
                        + "idle-timeout-s, max-head-bytes)");
            }
        }
        String tokenFile = options.get("token-file");
        if (tokenFile == null || tokenFile.isBlank()) {
            throw new IOException("tcp transport: refusing to start without a token: give --transport-option token-file=FILE "
                    + "(its first line is the token every update must carry; the file --update-token-file reads works)");
        }
        Path file = Path.of(tokenFile);
        if (!Files.isRegularFile(file)) {
            throw new IOException("tcp transport: token-file " + file + " is not a readable file");
        }
        String token = Files.readString(file).lines().findFirst().orElse("").strip();
        if (token.isEmpty()) {
            throw new IOException("tcp transport: token-file " + file + " is empty");
        }
        return new TcpOptions(options.getOrDefault("bind", "127.0.0.1"),
                number(options, "port", 0, 0, 65535),
                token.getBytes(StandardCharsets.UTF_8),
                number(options, "max-connections", 16, 1, 1024),
                Duration.ofSeconds(number(options, "idle-timeout-s", 300, 1, 86_400)),
                number(options, "max-head-bytes", 1 << 20, 1 << 10, 64 << 20));
    }

    private static int number(Map<String, String> options, String key, int orElse, int min, int max) throws IOException {
        String value = options.get(key);
        if (value == null) {
            return orElse;
        }
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IOException("tcp transport: option " + key + "=" + value + " is not a whole number from " + min + " to " + max);
        }
    }
}
