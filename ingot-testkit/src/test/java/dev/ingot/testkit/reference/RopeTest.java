package dev.ingot.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RopeTest {

    private static QwenConfig withHeadDim(int headDim, double theta, QwenConfig.RopeScaling scaling) {
        return new QwenConfig("qwen3", 8, 1, 1, 1, headDim, 8, 8, theta, 1e-6, true, false, scaling, false, null, 0,
                32, 0, 0);
    }

    @Test
    void positionZeroIsTheIdentity() {
        Rope rope = new Rope(QwenConfig.tinyQwen3());
        double[] v = random(32, 1);
        double[] rotated = v.clone();
        rope.rotate(rotated, 0, 0);
        assertThat(rotated).containsExactly(v, within(0.0));
    }

    @Test
    void rotationPreservesTheNormOfEveryPairAndHead() {
        Rope rope = new Rope(QwenConfig.tinyQwen3());
        double[] v = random(64, 2);
        double[] rotated = v.clone();
        rope.rotate(rotated, 32, 4321); // second head only
        assertThat(java.util.Arrays.copyOf(rotated, 32)).containsExactly(java.util.Arrays.copyOf(v, 32), within(0.0));
        for (int i = 0; i < 16; i++) { // rotate-half pairs (i, i + 16) within the head at offset 32
            double before = v[32 + i] * v[32 + i] + v[48 + i] * v[48 + i];
            double after = rotated[32 + i] * rotated[32 + i] + rotated[48 + i] * rotated[48 + i];
            assertThat(after).isCloseTo(before, within(1e-12));
        }
    }

    /**
     * head_dim 4, theta 100: frequencies 1 and 100^(-2/4) = 0.1; dimension 0 pairs with 2 and 1 with 3 (rotate_half),
     * so e0 at position p becomes [cos p, 0, sin p, 0] and e1 becomes [0, cos 0.1p, 0, sin 0.1p].
     */
    @Test
    void pairsDimensionIWithIPlusHalfDim() {
        Rope rope = new Rope(withHeadDim(4, 100, null));
        double[] e0 = {1, 0, 0, 0};
        double[] e1 = {0, 1, 0, 0};
        rope.rotate(e0, 0, 3);
        rope.rotate(e1, 0, 3);
        assertThat(e0).containsExactly(new double[] {Math.cos(3), 0, Math.sin(3), 0}, within(1e-15));
        assertThat(e1).containsExactly(new double[] {0, Math.cos(0.3), 0, Math.sin(0.3)}, within(1e-15));
    }

    /** q at m and k at n score like q at m+s and k at n+s: attention sees only relative positions. */
    @Test
    void dotProductsDependOnlyOnTheOffset() {
        Rope rope = new Rope(QwenConfig.tinyQwen3());
        double[] q = random(32, 3);
        double[] k = random(32, 4);
        assertThat(rotatedDot(rope, q, 7, k, 3)).isCloseTo(rotatedDot(rope, q, 107, k, 103), within(1e-9));
    }

    /** Linear scaling divides the frequencies by the factor: position 2p scaled by 2 equals position p unscaled. */
    @Test
    void linearScalingInterpolatesPositions() {
        Rope plain = new Rope(withHeadDim(16, 10000, null));
        Rope scaled = new Rope(withHeadDim(16, 10000, new QwenConfig.RopeScaling("linear", 2.0)));
        double[] a = random(16, 5);
        double[] b = a.clone();
        plain.rotate(a, 0, 5);
        scaled.rotate(b, 0, 10);
        assertThat(b).containsExactly(a, within(1e-12));
    }

    private static double rotatedDot(Rope rope, double[] q, int m, double[] k, int n) {
        double[] qr = q.clone();
        double[] kr = k.clone();
        rope.rotate(qr, 0, m);
        rope.rotate(kr, 0, n);
        double s = 0;
        for (int i = 0; i < qr.length; i++) {
            s += qr[i] * kr[i];
        }
        return s;
    }

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }
}
