package dev.ingot.tck.acme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.tck.IngotTck;
import dev.ingot.tck.Rule;
import dev.ingot.tck.TckReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The acme example, as built from its sources, passes every rule that applies to a format with a writer. */
class AcmeConformanceTest {

    @Test
    void theExamplePassesEveryRuleThatApplies(@TempDir Path dir) throws IOException {
        Path jar = AcmeFixture.goodJar(dir);
        Path sample = AcmeFixture.sample(jar, dir);

        TckReport report = IngotTck.forPlugin(jar).sample(sample).run();
        System.out.println(report.render());

        assertThat(report.failures()).isEmpty();
        Set<Rule> notApplicable = EnumSet.of(Rule.CONS_3, Rule.ARCH_1, Rule.ARCH_2); // no tokenizer, no architecture
        for (Rule rule : Rule.values()) {
            assertThat(report.result(rule).verdict()).as(rule.toString())
                    .isEqualTo(notApplicable.contains(rule) ? "SKIP" : "PASS");
        }
    }
}
