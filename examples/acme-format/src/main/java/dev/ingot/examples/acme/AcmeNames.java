package dev.ingot.examples.acme;

/**
 * acme's own tensor names and how its fused tensors are stacked. The mapper reads them apart with
 * these names and row counts; {@link AcmeWriter} puts them together the same way.
 *
 * <pre>
 * embed               [vocab, width]
 * blk.N.norm1         [width]                      attention RMSNorm
 * blk.N.attn.qkv      [q + k + v rows, width]      q and k rows in interleaved RoPE order
 * blk.N.attn.out      [heads*head_dim, width]      stored TRANSPOSED ([in, out])
 * blk.N.norm2         [width]                      MLP RMSNorm
 * blk.N.mlp.gate_up   [2 * mlp, width]             gate rows, then up rows
 * blk.N.mlp.down      [mlp, width]                 stored TRANSPOSED ([in, out])
 * final_norm          [width]
 * head                [vocab, width]               only when not tied to embed
 * </pre>
 */
public final class AcmeNames {

    public static final String MANIFEST = "acme.json";
    public static final String TENSOR_FOLDER = "tensors";

    public static final String EMBED = "embed";
    public static final String FINAL_NORM = "final_norm";
    public static final String HEAD = "head";

    private AcmeNames() {}

    public static String norm1(int block) { return block(block, "norm1"); }
    public static String qkv(int block) { return block(block, "attn.qkv"); }
    public static String attnOut(int block) { return block(block, "attn.out"); }
    public static String norm2(int block) { return block(block, "norm2"); }
    public static String gateUp(int block) { return block(block, "mlp.gate_up"); }
    public static String down(int block) { return block(block, "mlp.down"); }

    private static String block(int index, String part) {
        return "blk." + index + "." + part;
    }

    /** The file a writer puts a tensor in, relative to the checkpoint folder. */
    public static String fileFor(String tensorName) {
        return TENSOR_FOLDER + "/" + tensorName + ".bin";
    }
}
