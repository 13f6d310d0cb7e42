package dev.ingot.server.http.weights;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks an {@code Authorization: Bearer <token>} header in constant time: both sides are hashed
 * first, so neither the content nor the length of the real token leaks through timing.
 */
final class BearerToken {

    private static final String PREFIX = "Bearer ";

    private final byte[] expectedDigest;

    BearerToken(String token) {
        this.expectedDigest = sha256(token);
    }

    boolean accepts(String authorizationHeader) {
        String presented = authorizationHeader != null && authorizationHeader.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                ? authorizationHeader.substring(PREFIX.length()).strip()
                : "";
        // Hash even when nothing was presented, so a missing header takes as long as a wrong one.
        return MessageDigest.isEqual(expectedDigest, sha256(presented)) && !presented.isEmpty();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
