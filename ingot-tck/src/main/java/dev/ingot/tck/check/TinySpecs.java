package dev.ingot.tck.check;

import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.tck.TckContext;

/**
 * A tiny spec for each architecture: grouped-query attention, two layers, untied head, and the
 * architecture's own reading of it (describe, then parse), so its defaults and properties are its own.
 */
final class TinySpecs {

    private TinySpecs() {}

    static ModelSpec seed(String architecture) {
        return ModelSpec.builder().architecture(architecture).hiddenSize(32).layers(2).heads(4).kvHeads(2).headDim(8)
                .ffnSize(48).vocabSize(64).maxPositions(64).ropeTheta(10000.0).normEps(1e-6).bosTokenId(1).eosTokenId(2)
                .tiedEmbeddings(false).build();
    }

    /** describe then parse, both under the plugin guard. */
    static ModelSpec roundTrip(TckContext ctx, ArchitectureChoice choice, ModelSpec spec) throws CheckpointException {
        ModelConfig config = ctx.host().callArchitecture(choice, "failed to describe a tiny spec",
                () -> choice.architecture().describe(spec));
        return ctx.host().callArchitecture(choice, "failed to parse its own description of a tiny spec",
                () -> choice.architecture().parse(config));
    }
}
