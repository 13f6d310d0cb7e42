package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.plugin.testing.TestPlugin;
import dev.ingot.server.cli.testing.CliRun;
import dev.ingot.spi.format.Detection.Tier;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ingot tck} on real plugin jars: the report on stdout, exit status 1 when a rule fails. */
class TckCommandTest {

    @Test
    void aFormatThatClaimsEverythingFailsDet4WithTheFix(@TempDir Path dir) throws Exception {
        Path jar = TestPlugin.named("greedy").format("greedy", Tier.LAYOUT).writeJar(dir.resolve("greedy.jar"));

        CliRun run = CliRun.ingot("tck", "--plugin", jar.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("FAIL   DET-4   detect does not claim what is not its own");
        assertThat(run.out()).contains("format 'greedy' on an hf checkpoint (hf-checkpoint) claimed layout");
        assertThat(run.out()).contains("fix:  return no(...) unless your marker or your file layout is there");
        assertThat(run.out()).contains("PASS   LOAD-1").contains("PASS   DET-1");
    }

    @Test
    void aPluginThatKeepsToItselfPassesWithNoSamples(@TempDir Path dir) throws Exception {
        Path jar = TestPlugin.named("quiet").format("quiet", Tier.NO).writeJar(dir.resolve("quiet.jar"));

        CliRun run = CliRun.ingot("tck", "--plugin", jar.toString());

        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(run.out()).contains("PASS   DET-4").contains("SKIP   DET-3").contains(" 0 failed, ");
    }
}
