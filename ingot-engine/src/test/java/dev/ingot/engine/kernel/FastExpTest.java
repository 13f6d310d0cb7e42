package dev.ingot.engine.kernel;

import static dev.ingot.engine.kernel.Lanes.FLOATS;
import static dev.ingot.engine.kernel.Lanes.LANES;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class FastExpTest {

    /** Every 97th float in the range softmax and SiLU use, plus both ends: about 11 million inputs. */
    @Test
    void staysWithinOneUlpOfMathExpOverTheWholeRange() {
        int from = Float.floatToRawIntBits(FastExp.MIN_INPUT); // negative floats: larger bits, larger magnitude
        double worstUlps = 0;
        float worstAt = 0;
        float[] inputs = new float[LANES];
        float[] outputs = new float[LANES];
        int filled = 0;
        for (long bits = from; bits >= Integer.MIN_VALUE; bits -= 97) {
            inputs[filled++] = Float.intBitsToFloat((int) bits);
            if (filled == LANES) {
                FastExp.exp(FloatVector.fromArray(FLOATS, inputs, 0)).intoArray(outputs, 0);
                for (int i = 0; i < LANES; i++) {
                    double ulps = ulpsFromMathExp(inputs[i], outputs[i]);
                    if (ulps > worstUlps) {
                        worstUlps = ulps;
                        worstAt = inputs[i];
                    }
                }
                filled = 0;
            }
        }
        for (int bits = 0; Float.intBitsToFloat(bits) <= FastExp.MAX_INPUT; bits += 97) {
            float x = Float.intBitsToFloat(bits);
            double ulps = ulpsFromMathExp(x, FastExp.exp(x));
            if (ulps > worstUlps) {
                worstUlps = ulps;
                worstAt = x;
            }
        }
        assertThat(worstUlps).as("worst error at x = %s", worstAt).isLessThanOrEqualTo(1.0);
    }

    @Test
    void vectorLanesEqualTheScalarTailBitForBit() {
        Random random = new Random(21);
        float[] x = new float[LANES * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (random.nextFloat() - 0.6f) * 200f; // -120..80: below the cut-off, through 0, into the range
        }
        x[0] = Float.NaN;
        x[1] = Float.NEGATIVE_INFINITY;
        x[2] = -0f;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) {
            FastExp.exp(FloatVector.fromArray(FLOATS, x, i)).intoArray(y, i);
        }
        for (int i = 0; i < x.length; i++) {
            assertThat(Float.floatToIntBits(y[i])).as("x = %s", x[i]).isEqualTo(Float.floatToIntBits(FastExp.exp(x[i])));
        }
        assertThat(y[0]).isNaN();
        assertThat(y[1]).isZero();
        assertThat(y[2]).isEqualTo(1f);
    }

    @Test
    void belowTheCutOffIsZero() {
        assertThat(FastExp.exp(-88f)).isZero();
        assertThat(FastExp.exp(-1000f)).isZero();
    }

    private static double ulpsFromMathExp(float x, float got) {
        double exact = Math.exp(x);
        return Math.abs(got - exact) / Math.ulp((float) exact);
    }
}
