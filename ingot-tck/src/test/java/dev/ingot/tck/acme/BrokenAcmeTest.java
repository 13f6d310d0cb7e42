package dev.ingot.tck.acme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.tck.IngotTck;
import dev.ingot.tck.TckReport;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each deliberately broken acme fails exactly the rule it breaks, with a message that says what is wrong. */
class BrokenAcmeTest {

    @TempDir
    static Path shared;
    private static Path sample;

    @BeforeAll
    static void writeSample() throws IOException {
        sample = AcmeFixture.sample(AcmeFixture.goodJar(shared), shared);
    }

    @ParameterizedTest
    @EnumSource(BrokenAcme.class)
    void failsExactlyTheRuleItBreaks(BrokenAcme broken, @TempDir Path dir) throws IOException {
        PluginJar jar = new PluginJar().sourceRoot(AcmeFixture.sources())
                .source(BrokenAcme.PACKAGE + ".BrokenPlugin", broken.source())
                .service(BrokenAcme.PACKAGE + ".BrokenPlugin");
        if (broken.needsEngineClasses()) {
            jar.compiledAgainst(dev.ingot.engine.services.Services.class);
        }

        TckReport report = IngotTck.forPlugin(jar.write(dir.resolve("acme-" + broken.name().toLowerCase() + ".jar")))
                .sample(sample).run();
        System.out.println(report.render());

        assertThat(report.failedRules()).containsExactly(broken.rule);
        assertThat(report.result(broken.rule).outcome().text()).contains(broken.message);
        assertThat(report.render()).contains("fix:  " + broken.rule.fix());
    }
}
