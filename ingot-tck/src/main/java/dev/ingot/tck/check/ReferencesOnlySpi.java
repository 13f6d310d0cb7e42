package dev.ingot.tck.check;

import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.TckContext;
import dev.ingot.tck.support.ClassScan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * LOAD-2: no class of the plugin names an engine class (it would fail to link in the plugin's class
 * loader the first time that code runs), and the jar does not bundle the SPI.
 */
public final class ReferencesOnlySpi implements Check {

    @Override
    public Rule rule() {
        return Rule.LOAD_2;
    }

    @Override
    public Outcome run(TckContext ctx) throws Exception {
        List<String> problems = new ArrayList<>();
        int jars = 0;
        for (Path jar : ctx.subject().jars()) {
            jars++;
            for (ClassScan.Leak leak : ClassScan.leaks(jar)) {
                problems.add(leak + ", which a plugin cannot see at run time");
            }
            for (String spi : ClassScan.bundledSpi(jar)) {
                problems.add(jar.getFileName() + " bundles the SPI (" + spi + "); the engine's copy is used instead");
            }
        }
        return problems.isEmpty()
                ? Check.pass("no engine class referenced and no SPI bundled in " + jars + " jar(s)")
                : Check.failAll("the plugin depends on classes it cannot see:", problems);
    }
}
