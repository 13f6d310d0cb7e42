package dev.ingot.tck.check;

import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * OPEN-1: each sample opens through the engine's one reading pipeline with the plugin's format: the
 * config names an architecture some plugin provides, which parses it into a spec.
 */
public final class OpensWithValidSpec implements Check {

    @Override
    public Rule rule() {
        return Rule.OPEN_1;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        ctx.requireSamples();
        List<String> problems = new ArrayList<>();
        List<String> specs = new ArrayList<>();
        for (Sample sample : ctx.samples()) {
            try (OpenedCheckpoint opened = ctx.open(sample)) {
                ModelSpec s = opened.spec();
                specs.add("sample " + sample + ": architecture " + s.architecture() + " (plugin '"
                        + opened.architecture().pluginName() + "'), hidden " + s.hiddenSize() + ", layers " + s.layers()
                        + ", heads " + s.heads() + "/" + s.kvHeads() + ", vocab " + s.vocabSize() + ", "
                        + opened.checkpoint().tensors().list().size() + " tensors");
            } catch (IOException | RuntimeException e) {
                problems.add("sample " + sample + ": " + e.getMessage());
            }
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", specs))
                : Check.failAll("a sample does not open:", problems);
    }
}
