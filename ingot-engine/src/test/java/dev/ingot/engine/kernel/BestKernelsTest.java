package dev.ingot.engine.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Kernels#best()} in a real JVM started the way a user might forget to start it. */
class BestKernelsTest {

    @Test
    void withoutTheIncubatorModuleTheUserIsToldHowToStartTheJvm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Probe.class.getName())
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(output).isEqualTo(
                "IllegalStateException: the Vector API module is not loaded: run with --add-modules jdk.incubator.vector");
    }

    @Test
    void withTheModuleItIsTheVectorKernels() {
        try (Kernels kernels = Kernels.best()) {
            assertThat(kernels).isInstanceOf(VectorKernels.class);
            assertThat(((VectorKernels) kernels).threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    /** Runs in the child JVM (no {@code --add-modules}). */
    public static final class Probe {
        public static void main(String[] args) {
            try (Kernels kernels = Kernels.best()) {
                System.out.println("unexpectedly got " + kernels.describe());
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
