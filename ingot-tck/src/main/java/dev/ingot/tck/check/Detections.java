package dev.ingot.tck.check;

import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import dev.ingot.tck.Sample;
import dev.ingot.tck.TckContext;
import dev.ingot.tck.support.Files2;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every format of the plugin asked about every foreign input, every sample, and every sample grown to
 * {@value #GROWN_BYTES} bytes by a sparse tail (a detect that reads whole files shows up in its time):
 * what it answered or threw, and how long it took. Computed once, judged by DET-1, DET-2 and DET-4.
 */
record Detections(List<Answer> answers) {

    static final long GROWN_BYTES = 4L << 30;

    /** One detect call: its answer or failure, and the faster of two timings (the first pays for warm-up). */
    record Answer(FormatChoice format, ForeignInputs.Input input, Detection detection, String failure, long nanos) {
        String who() {
            return "format '" + format.format().name() + "' on " + input.label() + " (" + input.path().getFileName() + ")";
        }
    }

    static Detections of(TckContext ctx) {
        return ctx.shared("detections", () -> {
            List<ForeignInputs.Input> inputs = new ArrayList<>(ForeignInputs.of(ctx).inputs());
            for (Sample sample : ctx.samples()) {
                inputs.add(new ForeignInputs.Input("sample " + sample, sample.path(), true));
                grown(ctx, sample).ifPresent(inputs::add);
            }
            List<Answer> answers = new ArrayList<>();
            for (FormatChoice format : ctx.formats()) {
                for (ForeignInputs.Input input : inputs) {
                    answers.add(ask(ctx, format, input));
                }
            }
            return new Detections(List.copyOf(answers));
        });
    }

    private static Answer ask(TckContext ctx, FormatChoice format, ForeignInputs.Input input) {
        Detection detection = null;
        String failure = null;
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 2; attempt++) {
            long start = System.nanoTime();
            try {
                detection = ctx.detect(format, input.path());
            } catch (CheckpointException e) {
                failure = e.getMessage();
            }
            best = Math.min(best, System.nanoTime() - start);
        }
        return new Answer(format, input, detection, failure, best);
    }

    /** A copy of the sample whose files over 64 KiB are extended to 4 GiB with a hole: same headers, huge data. */
    private static java.util.Optional<ForeignInputs.Input> grown(TckContext ctx, Sample sample) {
        try {
            Path copy = ctx.work().resolve("grown-" + sample).resolve(sample.path().getFileName().toString());
            Files2.copy(sample.path(), copy);
            for (Path file : Files2.filesBySize(copy)) {
                if (Files.size(file) > 64 << 10) {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        raf.setLength(GROWN_BYTES);
                    }
                }
            }
            return java.util.Optional.of(new ForeignInputs.Input("sample " + sample + " with its large files grown to 4 GiB",
                    copy, true));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }
}
