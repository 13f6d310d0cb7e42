package dev.ingot.engine.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code safetensors_check.py}, a standard-library-only checker written from the published
 * format description, so our files are judged by code that shares nothing with our reader.
 */
final class PythonSafetensorsCheck {

    private PythonSafetensorsCheck() {}

    /** The checker's JSON summary of {@code file}; fails the test with the checker's reason otherwise. */
    static JsonNode check(Path file) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("python3", script().toString(), file.toString())
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("safetensors_check.py did not finish on " + file);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("safetensors_check.py refused " + file + ": " + new String(err, StandardCharsets.UTF_8));
        }
        return new ObjectMapper().readTree(out);
    }

    private static Path script() {
        try {
            return Path.of(PythonSafetensorsCheck.class.getResource("safetensors_check.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
