package dev.ingot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.server.cli.DemoCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code ingot demo} end to end, as a user runs it: the real plugin jars in a plugin folder (built by the
 * reactor and copied to {@code target/plugins}; none is on this test's class path), the real engine, and
 * the facts a reader must be able to see in the output.
 */
class DemoEndToEndTest {

    private static final Path PLUGINS = ItPlugins.folder();

    /** A row of a rollout table: {@code #  VERSION  TOKENS  FINISH  LOGPROB/TOKEN  PROMPT  COMPLETION}. */
    private static final Pattern ROLLOUT_ROW =
            Pattern.compile("^ +(\\d+) +v(\\d+) +(\\d+) +(stop|length) +(-?\\d+\\.\\d{3}) +(.+?)  +(.*)$");

    private static String output;
    private static int exitCode;

    @BeforeAll
    static void runTheDemo() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new DemoCommand(name -> null));
        cli.setOut(new PrintWriter(out, true));
        exitCode = cli.execute("--plugins", PLUGINS.toString());
        output = out.toString();
    }

    @Test
    void runsToTheEnd() {
        assertThat(exitCode).as(output).isZero();
        assertThat(output).contains("Timings");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev.ingot.examples.acme.AcmePlugin", "dev.ingot.plugins.llama2c.Llama2cPlugin",
            "dev.ingot.plugins.mistral.MistralPlugin", "dev.ingot.plugins.gguf.GgufPlugin", "dev.ingot.plugins.qwen.QwenPlugin"})
    void noPluginIsOnTheEnginesClassPath(String pluginClass) {
        assertThatThrownBy(() -> Class.forName(pluginClass)).isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void everyPluginJarIsInThePluginFolder() throws IOException {
        try (Stream<Path> jars = Files.list(PLUGINS)) {
            assertThat(jars.map(p -> p.getFileName().toString().replaceFirst("-\\d.*", "")))
                    .containsExactlyInAnyOrder("ingot-example-acme-format", "ingot-plugin-llama2c", "ingot-plugin-mistral",
                            "ingot-plugin-gguf", "ingot-plugin-qwen");
        }
    }

    @Test
    void showsThatAcmeFromItsJarClaimedTheCheckpointAndWhy() {
        assertThat(output).containsPattern("(?m)^ +claimed by +format 'acme' of plugin 'acme', loaded from "
                + Pattern.quote(acmeJar().toString()) + "$");
        assertThat(output).containsPattern("(?m)^ +because +acme\\.json with acme_version 1 \\(tier signature\\)$");
    }

    @Test
    void rolloutsOfEachVersionAreTaggedWithIt() {
        Map<Long, List<Rollout>> byVersion = rolloutsByVersion();
        assertThat(byVersion).containsOnlyKeys(1L, 2L, 3L);
        byVersion.values().forEach(rollouts -> assertThat(rollouts).hasSize(4));
        for (List<Rollout> rollouts : byVersion.values()) {
            for (Rollout r : rollouts) {
                assertThat(r.tokens()).isBetween(1, 24);
                if (r.finish().equals("length")) {
                    assertThat(r.tokens()).isEqualTo(24); // the demo's default --max-tokens
                }
                assertThat(r.meanLogprob()).isNegative(); // a log-probability below 1 for a vocabulary of hundreds
            }
        }
    }

    @Test
    void updatesChangeTheRollouts() {
        Map<Long, List<Rollout>> byVersion = rolloutsByVersion();
        List<String> v1 = byVersion.get(1L).stream().map(Rollout::completion).toList();
        List<String> v2 = byVersion.get(2L).stream().map(Rollout::completion).toList();
        List<String> v3 = byVersion.get(3L).stream().map(Rollout::completion).toList();
        assertThat(v2).isNotEqualTo(v1);
        assertThat(v3).isNotEqualTo(v1).isNotEqualTo(v2);
        assertThat(byVersion.get(1L).stream().map(Rollout::prompt)).containsExactlyElementsOf(
                byVersion.get(3L).stream().map(Rollout::prompt).toList());
    }

    @Test
    void brokenUpdatesAreRefusedWithTheirReasonAndTheVersionStays() {
        List<String> refusals = output.lines().filter(line -> line.strip().startsWith("REFUSED")).toList();
        assertThat(refusals).hasSize(2);
        assertThat(refusals.get(0)).contains("blk.1.norm1").contains("[32]").contains("[64]");
        assertThat(refusals.get(1)).contains("model.norm.weight").containsIgnoringCase("missing");
        assertThat(output.lines().filter(line -> line.matches(" +serving +still version 2 .*"))).hasSize(2);
        // Refused updates come between the rollouts of version 2 and the FULL update that makes version 3.
        assertThat(output.indexOf("REFUSED")).isGreaterThan(output.indexOf("Rollouts on weight version 2"))
                .isLessThan(output.indexOf("Rollouts on weight version 3"));
    }

    @Test
    void removesItsTemporaryFiles() {
        Matcher removed = Pattern.compile("removed the demo's temporary files \\((.+)\\)").matcher(output);
        assertThat(removed.find()).as(output).isTrue();
        assertThat(Path.of(removed.group(1))).doesNotExist();
    }

    @Test
    void aPluginFolderWithoutAcmeIsOneClearError(@TempDir Path empty) {
        List<String> errors = new ArrayList<>();
        CommandLine cli = new CommandLine(new DemoCommand(name -> null));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setExecutionExceptionHandler((e, line, parse) -> {
            errors.add(e.getMessage());
            return 1;
        });
        assertThat(cli.execute("--plugins", empty.toString())).isEqualTo(1);
        assertThat(errors).containsExactly("no plugin in the plugin folder provides format 'acme': build the project"
                + " (bin/ingot does) or pass --plugins DIR holding ingot-example-acme-format-*.jar");
    }

    private record Rollout(int index, long version, int tokens, String finish, double meanLogprob, String prompt, String completion) {}

    private static Map<Long, List<Rollout>> rolloutsByVersion() {
        Map<Long, List<Rollout>> out = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            Matcher m = ROLLOUT_ROW.matcher(line);
            if (m.matches()) {
                Rollout r = new Rollout(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)),
                        m.group(4), Double.parseDouble(m.group(5)), m.group(6), m.group(7));
                out.computeIfAbsent(r.version(), v -> new ArrayList<>()).add(r);
            }
        }
        return out;
    }

    private static Path acmeJar() {
        try (Stream<Path> jars = Files.list(PLUGINS)) {
            return jars.filter(p -> p.getFileName().toString().startsWith("ingot-example-acme-format-")).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + PLUGINS, e);
        }
    }
}
