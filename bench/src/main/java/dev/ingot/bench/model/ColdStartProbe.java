package dev.ingot.bench.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ingot generate --max-tokens 1} in a fresh JVM (the server jar, as a user runs it): wall time
 * from spawn to exit, the process's peak resident memory (VmHWM, polled from /proc while it runs),
 * and its peak Java heap use (from the GC log: heap before each collection, and at exit).
 */
public final class ColdStartProbe {

    public record Result(double seconds, long peakRssBytes, long peakHeapBytes, String output) {}

    private static final Pattern BEFORE_GC = Pattern.compile("Pause \\S+.*? (\\d+)M->\\d+M");
    private static final Pattern EXIT_USED = Pattern.compile("^\\S*\\s*(?:PSYoungGen|ParOldGen|garbage-first heap|def new generation|tenured generation)\\s+total \\d+K, used (\\d+)K");

    private ColdStartProbe() {}

    public static Result run(Path serverJar, Path model, Path tokenizer, Path plugins, List<String> jvmFlags)
            throws IOException, InterruptedException {
        Path gcLog = Files.createTempFile("ingot-bench-gc", ".log");
        Path output = Files.createTempFile("ingot-bench-out", ".txt");
        try {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmFlags);
            command.add("-Xlog:gc,gc+heap+exit:file=" + gcLog);
            command.addAll(List.of("-jar", serverJar.toString(), "generate", "--model", model.toString(),
                    "--tokenizer", tokenizer.toString(), "--plugins", plugins.toString(),
                    "--prompt", "Once upon a time", "--max-tokens", "1", "--temperature", "0"));
            long start = System.nanoTime();
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            long peakRss = 0;
            Path status = Path.of("/proc", Long.toString(process.pid()), "status");
            while (process.isAlive()) {
                peakRss = Math.max(peakRss, highWaterMark(status));
                Thread.sleep(2);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String text = Files.readString(output);
            if (process.exitValue() != 0) {
                throw new IOException("ingot generate failed (exit " + process.exitValue() + "): " + text.strip());
            }
            return new Result(seconds, peakRss, peakHeap(Files.readAllLines(gcLog)), text.strip());
        } finally {
            Files.deleteIfExists(gcLog);
            Files.deleteIfExists(output);
        }
    }

    /** VmHWM of a running process in bytes; 0 once it has gone (the last poll before exit stands). */
    private static long highWaterMark(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The process exited between the liveness check and the read.
        }
        return 0;
    }

    /** The largest heap occupancy the GC log shows: before any collection, or at exit. */
    static long peakHeap(List<String> gcLog) {
        long peak = 0;
        long exitUsed = 0;
        for (String line : gcLog) {
            String message = line.replaceFirst("^\\[[^]]*\\](\\[[^]]*\\])*\\s*", "");
            Matcher gc = BEFORE_GC.matcher(message);
            if (gc.find()) {
                peak = Math.max(peak, Long.parseLong(gc.group(1)) << 20);
            }
            Matcher exit = EXIT_USED.matcher(message);
            if (exit.find()) {
                exitUsed += Long.parseLong(exit.group(1)) << 10;
            }
        }
        return Math.max(peak, exitUsed);
    }
}
