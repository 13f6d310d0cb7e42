package dev.ingot.tck.check;

import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.util.ArrayList;
import java.util.List;

/**
 * ARCH-1: what an architecture describes of a tiny spec, it parses back: the sizes every decoder has
 * survive, and a second describe/parse changes nothing (what a writer stores is what a reader gets).
 */
public final class DescribeParse implements Check {

    @Override
    public Rule rule() {
        return Rule.ARCH_1;
    }

    @Override
    public Outcome run(TckContext ctx) throws Skip {
        List<ArchitectureChoice> architectures = ctx.architectures();
        if (architectures.isEmpty()) {
            throw new Skip("the plugin provides no architecture");
        }
        List<String> problems = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        for (ArchitectureChoice choice : architectures) {
            String name = choice.architecture().name();
            try {
                ModelSpec seed = TinySpecs.seed(name);
                ModelSpec once = TinySpecs.roundTrip(ctx, choice, seed);
                ModelSpec twice = TinySpecs.roundTrip(ctx, choice, once);
                String lost = sizes(seed).equals(sizes(once)) ? null : "sizes " + sizes(seed) + " came back as " + sizes(once);
                if (lost != null) {
                    problems.add("architecture '" + name + "': " + lost);
                } else if (!once.equals(twice)) {
                    problems.add("architecture '" + name + "': a second describe/parse changed " + once + " into " + twice);
                } else if (!once.architecture().equals(name)) {
                    problems.add("architecture '" + name + "': parse names '" + once.architecture() + "'");
                } else {
                    passed.add("architecture '" + name + "': " + once);
                }
            } catch (CheckpointException e) {
                problems.add("architecture '" + name + "': " + e.getMessage());
            }
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", passed))
                : Check.failAll("describe and parse disagree:", problems);
    }

    private static String sizes(ModelSpec s) {
        return "hidden " + s.hiddenSize() + ", layers " + s.layers() + ", heads " + s.heads() + "/" + s.kvHeads()
                + ", head dim " + s.headDim() + ", ffn " + s.ffnSize() + ", vocab " + s.vocabSize() + ", tied "
                + s.tiedEmbeddings();
    }
}
