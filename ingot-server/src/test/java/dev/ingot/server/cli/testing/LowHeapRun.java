package dev.ingot.server.cli.testing;

import dev.ingot.server.cli.IngotCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code ingot} in a fresh JVM with a 256 MiB heap, started the way {@code bin/ingot}
 * starts one, killed after {@code timeoutSeconds}: where a bound on heap or time is what a test checks.
 */
public record LowHeapRun(int exitCode, String output, long millis, boolean timedOut) {

    public static LowHeapRun ingot(int timeoutSeconds, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC",
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), IngotCommand.class.getName()));
        command.addAll(List.of(args));
        long start = System.nanoTime();
        Path log = java.nio.file.Files.createTempFile("ingot-low-heap", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
            process.waitFor();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        String text = java.nio.file.Files.readString(log, StandardCharsets.UTF_8)
                .lines().filter(line -> !line.startsWith("WARNING: Using incubator modules"))
                .reduce("", (a, b) -> a + b + "\n");
        java.nio.file.Files.deleteIfExists(log);
        return new LowHeapRun(finished ? process.exitValue() : -1, text, millis, !finished);
    }

    /** The output is a single line starting with {@code error:}. */
    public boolean oneErrorLine() {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        return lines.size() == 1 && lines.getFirst().startsWith("error:");
    }

    @Override
    public String toString() {
        return "exit " + exitCode + (timedOut ? " (killed)" : "") + " after " + millis + " ms:\n" + output;
    }
}
