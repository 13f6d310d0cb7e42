package dev.ingot.server.http;

import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.kernel.Kernels;
import dev.ingot.engine.kernel.ScalarKernels;
import dev.ingot.engine.kernel.WeightMatrix;
import dev.ingot.engine.model.DecoderModel;
import dev.ingot.engine.testing.RandomModel;
import dev.ingot.spi.model.HfNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The random test model on the reference kernels slowed to a few milliseconds per forward pass, so
 * a test has time to act while a request runs (hang up, shut down, swap weights).
 */
public final class SlowModel {

    static final Duration STEP = Duration.ofMillis(4);

    private SlowModel() {}

    static LoadedModel loaded(Path location, long seed) throws IOException {
        return slowed(RandomModel.loaded(location, seed));
    }

    /**
     * {@code l} on the reference kernels slowed by {@link #STEP} a forward pass; its arithmetic is that
     * of {@code new DecoderModel(definition, new ScalarKernels())}, so an unslowed twin computes the same tokens.
     */
    public static LoadedModel slowed(LoadedModel l) {
        l.model().kernels().close(); // replaced: its threads (if any) are not needed
        return new LoadedModel(l.location(), l.spec(), l.format(), l.architecture(), l.tokenizer(), l.weights(),
                new DecoderModel(l.model().definition(), new SlowKernels()), l.plugins(), l.loadTime());
    }

    /** Pauses once per forward pass, at the LM head. */
    private static final class SlowKernels implements Kernels {
        private final ScalarKernels inner = new ScalarKernels();

        @Override
        public void matmul(WeightMatrix w, float[] x, float[] out, int batch) {
            if (w.name().equals(HfNames.LM_HEAD)) {
                LockSupport.parkNanos(STEP.toNanos());
            }
            inner.matmul(w, x, out, batch);
        }

        @Override
        public String describe() {
            return "slowed " + inner.describe();
        }
    }
}
