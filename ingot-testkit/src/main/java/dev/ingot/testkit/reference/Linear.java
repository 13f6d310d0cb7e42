package dev.ingot.testkit.reference;

/** nn.Linear: {@code y = W x + b} with W stored row-major {@code [out, in]}, as in Hugging Face checkpoints. */
record Linear(float[] weight, float[] bias, int out, int in) {

    Linear {
        if (weight.length != out * in) {
            throw new IllegalArgumentException("weight has " + weight.length + " values, expected " + out + "x" + in);
        }
        if (bias != null && bias.length != out) {
            throw new IllegalArgumentException("bias has " + bias.length + " values, expected " + out);
        }
    }

    double[] apply(double[] x) {
        if (x.length != in) {
            throw new IllegalArgumentException("input has " + x.length + " values, expected " + in);
        }
        double[] y = new double[out];
        for (int r = 0; r < out; r++) {
            double s = bias == null ? 0 : bias[r];
            int row = r * in;
            for (int c = 0; c < in; c++) {
                s += weight[row + c] * x[c];
            }
            y[r] = s;
        }
        return y;
    }
}
