package dev.ingot.bench.llamacpp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp as the benchmarks reach it: only through the anchor script ({@code ../shared/anchors/llamacpp.sh},
 * or {@code LLAMACPP_SH}), which installs llama.cpp once and runs its tools as separate processes.
 */
public record LlamaCppAnchor(Path script) {

    /** The anchor the benchmarks use unless told otherwise: {@code LLAMACPP_SH}, else the shared one next to the checkout. */
    public static Optional<Path> defaultScript(Path root) {
        String env = System.getenv("LLAMACPP_SH");
        Path script = env != null ? Path.of(env) : root.resolveSibling("shared/anchors/llamacpp.sh");
        return Files.isExecutable(script) ? Optional.of(script) : Optional.empty();
    }

    /** What one run of the script printed (stdout and stderr together) and how it exited. */
    public record Run(int code, String output) {
        public String lastLine() {
            String[] lines = output.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    /** {@code SCRIPT ARGS...}, waiting for it to finish. */
    public Run run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), output);
    }

    /** One of llama.cpp's built tools ({@code SCRIPT bin TOOL ARGS...}), e.g. {@code llama-batched-bench}. */
    public Run tool(String tool, List<String> args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("bin", tool));
        all.addAll(args);
        return run(all);
    }
}
