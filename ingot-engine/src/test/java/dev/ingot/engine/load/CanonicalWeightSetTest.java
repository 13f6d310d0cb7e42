package dev.ingot.engine.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.HfNames;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Shape;
import dev.ingot.spi.tensor.TensorInfo;
import org.junit.jupiter.api.Test;

/** Each canonical tensor is checked against its weight slot: name, shape, and a type the slot's role allows. */
class CanonicalWeightSetTest {

    /** hidden 32, so the matrices' rows are whole Q8_0 blocks. */
    private static final ModelSpec SPEC = ModelSpec.builder().hiddenSize(32).layers(1).heads(4).kvHeads(2).ffnSize(64)
            .vocabSize(40).build();
    private final CanonicalWeightSet set = new CanonicalWeightSet(ModelDefinition.of(LlamaArchitecture.llama(), SPEC));

    @Test
    void aQuantizedNormOrBiasIsRefusedNamingTheTypesAVectorMayHave() {
        TensorInfo norm = new TensorInfo(HfNames.attnNorm(0), DType.Q8_0, Shape.of(32));

        assertThatThrownBy(() -> set.check(norm, "tensor 'blk.0.attn_norm.weight' of x.gguf")).isInstanceOf(CheckpointException.class)
                .hasMessage("tensor 'blk.0.attn_norm.weight' of x.gguf: '" + HfNames.attnNorm(0)
                        + "' is Q8_0; this weight must be F32, F16, BF16 or F64");
        assertThatThrownBy(() -> set.check(new TensorInfo(HfNames.FINAL_NORM, DType.F8_E4M3, Shape.of(32)), "t"))
                .hasMessage("t: '" + HfNames.FINAL_NORM + "' is F8_E4M3; this weight must be F32, F16, BF16 or F64");
    }

    @Test
    void quantizedMatricesFitTheirSlotAndAreKeptWhenTheKernelsReadThemInPlace() throws CheckpointException {
        // the slot's role allows any floating-point type for a matrix, quantized ones included ...
        assertThat(ModelDefinition.of(LlamaArchitecture.llama(), SPEC).weights().get(HfNames.q(0)).accepts(DType.Q4_K)).isTrue();
        // ... GGML blocks are stored as they are (the kernels decode them in registers): Q8_0 and Q4_0, and
        // the K-quants too where the kernels have 256-bit vectors, unless -Dingot.kquants.keep=false (else widened)
        set.check(new TensorInfo(HfNames.q(0), DType.Q8_0, Shape.of(32, 32)), "t");
        set.check(new TensorInfo(HfNames.q(0), DType.Q4_0, Shape.of(32, 32)), "t");
        assertThat(TensorTransformer.isStorable(DType.Q8_0)).isTrue();
        assertThat(TensorTransformer.isStorable(DType.Q4_0)).isTrue();
        boolean kept = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256
                && !"128".equals(System.getProperty("ingot.vector.bits")) && !"false".equals(System.getProperty("ingot.kquants.keep"));
        assertThat(TensorTransformer.isStorable(DType.Q4_K)).isEqualTo(kept);
        assertThat(TensorTransformer.isStorable(DType.Q6_K)).isEqualTo(kept);
        assertThat(TensorTransformer.isStorable(DType.F8_E4M3)).isFalse();
        // Q5_0/Q5_1 have no kernel yet: widened to F32 when the checkpoint loads
        assertThat(TensorTransformer.isStorable(DType.Q5_0)).isFalse();
        assertThat(TensorTransformer.isStorable(DType.Q5_1)).isFalse();
        assertThat(set.missing()).contains(HfNames.q(0)); // check only checks
    }

    @Test
    void wrongShapesUnknownNamesAndDuplicatesAreRefused() throws CheckpointException {
        assertThatThrownBy(() -> set.check(new TensorInfo(HfNames.q(0), DType.F32, Shape.of(32, 16)), "t"))
                .hasMessage("t: '" + HfNames.q(0) + "' has shape " + Shape.of(32, 16) + " but the model needs " + Shape.of(32, 32));
        assertThatThrownBy(() -> set.check(new TensorInfo(HfNames.q(1), DType.F32, Shape.of(32, 32)), "t"))
                .hasMessage("t maps to '" + HfNames.q(1) + "', which is not a weight of this model");
    }
}
