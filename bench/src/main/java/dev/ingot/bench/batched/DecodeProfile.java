package dev.ingot.bench.batched;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * {@code bench/run decode-profile FILE.jfr [FROM TO]}: where the kernel threads' time goes in a decode step, from
 * the execution samples of a JFR recording of {@code bench/run batched} (optionally only those between two
 * instants, the decode window {@code -Dbench.decodeWindow=true} prints). Each sample of the scheduler thread
 * (the kernels' caller) and the helpers is put in one bucket by its stack: the matmul call that runs (by the line
 * of {@code DecoderModel.forward}, on the caller) and the phase of the float tiles, attention, KV block
 * allocation, sampling, the element-wise steps, the pool. A bucketing by stack, not a timer: shares of samples.
 */
public final class DecodeProfile {

    private static final String MODEL = "dev.ingot.engine.model.DecoderModel";

    private DecodeProfile() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        if (args.length != 1 && args.length != 3) {
            throw new IllegalArgumentException("usage: decode-profile FILE.jfr [FROM TO] (instants as the decode window prints them)");
        }
        Instant from = args.length == 3 ? Instant.parse(args[1]) : Instant.MIN;
        Instant to = args.length == 3 ? Instant.parse(args[2]) : Instant.MAX;
        Map<String, Map<String, Integer>> byThread = new TreeMap<>();
        Map<String, Integer> unknown = new HashMap<>();
        try (RecordingFile file = new RecordingFile(Path.of(args[0]))) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStartTime().isBefore(from)
                        || e.getStartTime().isAfter(to) || e.getStackTrace() == null) {
                    continue;
                }
                RecordedThread thread = e.getThread("sampledThread");
                String name = thread == null ? null : thread.getJavaName();
                if (name == null || !(name.startsWith("ingot-scheduler") || name.startsWith("ingot-kernel"))) {
                    continue;
                }
                List<RecordedFrame> frames = e.getStackTrace().getFrames();
                String bucket = bucket(frames);
                byThread.computeIfAbsent(name, k -> new TreeMap<>()).merge(bucket, 1, Integer::sum);
                if (bucket.equals("other")) {
                    unknown.merge(top(frames, 4), 1, Integer::sum);
                }
            }
        }
        byThread.forEach((thread, buckets) -> {
            int total = buckets.values().stream().mapToInt(Integer::intValue).sum();
            out.printf(Locale.ROOT, "%s: %d samples%n", thread, total);
            buckets.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .forEach(b -> out.printf(Locale.ROOT, "  %-44s %7d %5.1f%%%n", b.getKey(), b.getValue(), 100.0 * b.getValue() / total));
        });
        out.println("most frequent stacks in 'other':");
        unknown.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(10)
                .forEach(s -> out.printf(Locale.ROOT, "  %d %s%n", s.getValue(), s.getKey()));
    }

    /** The first frame, from the top, that says what the sample was doing; matmul phases carry their call site. */
    static String bucket(List<RecordedFrame> frames) {
        String matmulPhase = null;
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            String method = frame.getMethod().getName();
            String at = type.substring(type.lastIndexOf('.') + 1) + "." + method;
            if (at.startsWith("BlockPool.") || at.startsWith("PagedKvCache.reserve") || at.startsWith("PagedKvCache.ensure")) {
                return "kv: block allocation";
            }
            if (at.startsWith("PagedKvCache.store")) {
                return "kv: store keys and values";
            }
            if (at.startsWith("Sampler.") || at.startsWith("SampledToken.")) {
                return "sampling";
            }
            if (at.startsWith("Scheduler.accept") || at.startsWith("Scheduler.sampleNext") || at.startsWith("IncrementalText")
                    || at.startsWith("Scheduler.emit")) {
                return "sampling: token events, text";
            }
            String attention = attentionPart(type, method);
            if (attention != null) {
                return attention;
            }
            if (at.startsWith("WideF32Rows.") || at.startsWith("TypedRowBlock") || at.startsWith("RowBlockMatmul")) {
                // The named phases sit below their loads and helpers on the stack, and win over them.
                String phase = switch (method) {
                    case "packRows" -> "pack rows";
                    case "copyInputs" -> "copy inputs";
                    case "finish" -> "lane sums";
                    default -> "tiles";
                };
                if (matmulPhase == null || matmulPhase.equals("tiles")) {
                    matmulPhase = phase;
                }
                continue;
            }
            if (matmulPhase != null && type.equals(MODEL) && method.equals("forward")) {
                return "matmul @" + frame.getLineNumber() + " " + matmulPhase;
            }
            if (at.startsWith("WorkerPool.nextLoop")) {
                return "pool: helper waits for a loop";
            }
            if (at.startsWith("WorkerPool$ParallelLoop.awaitAll") && matmulPhase == null) {
                return "pool: caller waits for helpers";
            }
            if (at.startsWith("DecoderModel.rmsNorm") || at.startsWith("RotaryEmbedding") || at.startsWith("VectorKernels.swiglu")
                    || at.startsWith("VectorKernels.add") || at.startsWith("VectorKernels.geglu")) {
                return "norms, rope, swiglu, residuals";
            }
            if (at.startsWith("Scheduler.") || at.startsWith("StepBatch")) {
                return "scheduler bookkeeping: " + method;
            }
        }
        return matmulPhase != null ? "matmul (helper) " + matmulPhase : "other";
    }

    /**
     * The part of paged attention a frame belongs to: the score tiles (keys), the value sums, the softmax's exp sum,
     * or {@code attend} itself (the walk over the block table, the softmax's max and division, the fills). Null for a
     * frame outside attention. (The KV stores, which attention tasks may run, are bucketed before.)
     */
    private static String attentionPart(String type, String method) {
        String simple = type.substring(type.lastIndexOf('.') + 1);
        if (!simple.equals("SegmentVectorKernels") && !simple.equals("VectorKernels") && !simple.equals("Kernels")
                && !simple.equals("DecoderModel") && !simple.equals("PagedKvCache")) {
            return null;
        }
        String m = method.toLowerCase(Locale.ROOT);
        if (m.contains("scores") || m.startsWith("tile") || m.startsWith("head") || m.equals("unspill")) {
            return "attention: scores (keys)";
        }
        if (m.contains("values") || m.startsWith("valuestile") || m.startsWith("axpybf16") || m.startsWith("axpyf32")) {
            return "attention: values";
        }
        if (m.contains("expshiftedsum") || m.contains("softmax")) {
            return "attention: softmax";
        }
        if (simple.equals("PagedKvCache") && m.equals("block")) {
            return "attention: block walk, softmax max/divide, fills (attend)";
        }
        if (simple.equals("DecoderModel") && (m.equals("attend") || m.equals("attendrows") || m.startsWith("lambda$attendrows"))) {
            return "attention: block walk, softmax max/divide, fills (attend)";
        }
        return null;
    }

    private static String top(List<RecordedFrame> frames, int depth) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(depth, frames.size()); i++) {
            RecordedFrame f = frames.get(i);
            String type = f.getMethod().getType().getName();
            s.append(i == 0 ? "" : " < ").append(type.substring(type.lastIndexOf('.') + 1)).append('.')
                    .append(f.getMethod().getName()).append(':').append(f.getLineNumber());
        }
        return s.toString();
    }
}
