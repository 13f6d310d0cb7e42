package dev.ingot.bench.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingot's measurements in child JVMs of their own: real child processes, their result lines, their failures. */
class ProbeRunnerTest {

    /** The HF copy of llama2.c's stories260K in ../shared/models: small enough to decode in a test. */
    private static final Path STORIES = Path.of(System.getProperty("ingot.models", "../shared/models")).resolve("stories260K-hf");

    @TempDir
    Path dir;

    @Test
    void aChildThatCannotOpenItsFileGivesOneLineNamingTheFileTypeAndRound() {
        Path missing = dir.resolve("llama-110M-f16.gguf");

        ProbeOutcome outcome = new ProbeRunner.Child().measure(new IngotProbe(IngotProbe.Kind.DECODE, missing, dir, 1, 8));

        assertThat(outcome).isInstanceOf(ProbeOutcome.Failed.class);
        String line = ((ProbeOutcome.Failed) outcome).report("F16", 2, "decode");
        assertThat(line).startsWith("round 2 F16 decode: Ingot failed: ").contains(missing.toString()).doesNotContain("\n");
    }

    @Test
    void theParentReadsWhatTheChildMeasuredAsThisJvmMeasuresIt() throws Exception {
        assertThat(STORIES).isDirectory();
        IngotProbe decode = new IngotProbe(IngotProbe.Kind.DECODE, STORIES, dir, 1, 8);

        ProbeOutcome child = new ProbeRunner.Child().measure(decode);
        ProbeOutcome here = new ProbeRunner.SameJvm().measure(decode);

        assertThat(child).isInstanceOf(ProbeOutcome.Measured.class);
        assertThat(here).isInstanceOf(ProbeOutcome.Measured.class);
        ProbeOutcome.Measured measured = (ProbeOutcome.Measured) child;
        // the weight bytes a token reads are a property of the file, whichever JVM loaded it
        assertThat(measured.bytesPerToken()).isPositive().isEqualTo(((ProbeOutcome.Measured) here).bytesPerToken());
        assertThat(measured.tokensPerSecond()).isPositive().isFinite();
    }

    @Test
    void aPrefillChildReportsPromptTokensPerSecond() {
        ProbeOutcome child = new ProbeRunner.Child().measure(new IngotProbe(IngotProbe.Kind.PREFILL, STORIES, dir, 1, 32));

        assertThat(child).isInstanceOf(ProbeOutcome.Measured.class);
        assertThat(((ProbeOutcome.Measured) child).tokensPerSecond()).isPositive().isFinite();
    }

    @Test
    void aChildWithoutAResultLineFailsWithItsExitCodeAndLastLine() {
        ProbeOutcome outcome = ProbeOutcome.fromChild(1, List.of("WARNING: Using incubator modules: jdk.incubator.vector",
                "Error occurred during initialization of VM", "Too small maximum heap", ""));

        assertThat(outcome).isEqualTo(new ProbeOutcome.Failed("the child JVM exited with 1 without a result: Too small maximum heap"));
    }

    @Test
    void aResultLineIsFoundAmongTheChildsOtherOutput() {
        ProbeOutcome outcome = ProbeOutcome.fromChild(0, List.of("WARNING: Using incubator modules: jdk.incubator.vector",
                "ingot-probe: measured tokens_per_second=121.75 bytes_per_token=219000000"));

        assertThat(outcome).isEqualTo(new ProbeOutcome.Measured(121.75, 219_000_000L));
    }

    @Test
    void aResultFromAChildThatThenCrashedDoesNotCount() {
        ProbeOutcome outcome = ProbeOutcome.fromChild(134, List.of("ingot-probe: measured tokens_per_second=50.0 bytes_per_token=1"));

        assertThat(outcome).isEqualTo(new ProbeOutcome.Failed("the child JVM printed a result but exited with 134"));
    }

    @Test
    void aGarbledResultLineIsAFailureThatQuotesIt() {
        ProbeOutcome outcome = ProbeOutcome.fromChild(0, List.of("ingot-probe: measured tokens_per_second=fast bytes_per_token=1"));

        assertThat(outcome).isInstanceOf(ProbeOutcome.Failed.class);
        assertThat(((ProbeOutcome.Failed) outcome).reason()).contains("tokens_per_second=fast");
    }

    @Test
    void aFailureReasonStaysOnOneLine() {
        assertThat(new ProbeOutcome.Failed("cannot map\n  /x/y.gguf\n").line()).isEqualTo("ingot-probe: failed cannot map / /x/y.gguf");
    }
}
