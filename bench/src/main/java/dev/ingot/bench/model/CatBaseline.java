package dev.ingot.bench.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cat FILES > /dev/null}: the time to read a checkpoint's bytes once through the page cache.
 * Run twice and the second timed, so the files are as warm as they are for the cold-JVM start
 * that is compared with it (nothing is dropped from the page cache for either).
 */
public final class CatBaseline {

    private CatBaseline() {}

    public static double seconds(List<Path> files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("cat"));
        files.forEach(f -> command.add(f.toString()));
        run(command);
        long start = System.nanoTime();
        run(command);
        return (System.nanoTime() - start) / 1e9;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process cat = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (cat.waitFor() != 0) {
            throw new IOException("cat failed for " + command.subList(1, command.size()));
        }
    }
}
