package dev.ingot.bench.quant;

import dev.ingot.bench.ChildJvm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an Ingot measurement runs. One JVM measuring file after file is not a fair comparison with
 * {@code llama-bench}, which starts a process per file: a type measured after another type's decode ran up to three
 * times slower (issue 11; 1.1B F16 after F32, 4 against 13 tok/s), so by default each runs in a {@link Child} JVM of
 * its own; {@link SameJvm} ({@code --same-jvm}) keeps the old behaviour, to show the difference.
 */
sealed interface ProbeRunner {

    /** Never throws for a failed measurement: a failure is an outcome, so the other cells of the table still run. */
    ProbeOutcome measure(IngotProbe probe);

    String describe();

    record SameJvm() implements ProbeRunner {
        @Override
        public ProbeOutcome measure(IngotProbe probe) {
            try {
                return probe.measureHere();
            } catch (Exception e) {
                return ProbeOutcome.Failed.of(e);
            }
        }

        @Override
        public String describe() {
            return "all in this JVM, one after the other (--same-jvm)";
        }
    }

    record Child() implements ProbeRunner {
        @Override
        public ProbeOutcome measure(IngotProbe probe) {
            List<String> output = new ArrayList<>();
            try {
                Process process = new ProcessBuilder(ChildJvm.command(ProbeMain.class, probe.toArgs())).redirectErrorStream(true).start();
                process.getOutputStream().close();
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        output.add(line);
                        if (ProbeOutcome.parse(line).isEmpty()) {
                            System.err.println(line); // the child's own warnings, through bench/run's filter
                        }
                    }
                }
                return ProbeOutcome.fromChild(process.waitFor(), output);
            } catch (IOException e) {
                return new ProbeOutcome.Failed("cannot start a child JVM: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new ProbeOutcome.Failed("interrupted while the child JVM ran");
            }
        }

        @Override
        public String describe() {
            return "each decode and prefill measurement in a child JVM of its own, options: " + ChildJvm.options();
        }
    }
}
