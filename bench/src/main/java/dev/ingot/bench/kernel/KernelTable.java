package dev.ingot.bench.kernel;

import dev.ingot.bench.MemoryBandwidth;
import dev.ingot.spi.tensor.DType;
import java.io.PrintStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns JMH's average times into the numbers that matter for decoding: GFLOP/s, weight GB/s, the
 * share of the memory bandwidth measured in the same run, the speed-up over the scalar reference,
 * and how much cheaper each sequence gets when batched.
 */
final class KernelTable {

    private record Key(String shape, String dtype, int batch) {}

    private final Map<Key, Double> vectorMicros = new LinkedHashMap<>();
    private final Map<Key, Double> scalarMicros = new LinkedHashMap<>();
    private final String vectorDescription;
    private final int workingSetMiB;
    private double bandwidthGBs = Double.NaN;
    private String bandwidthSetup = "";

    KernelTable(Collection<RunResult> results, String vectorDescription, int workingSetMiB) {
        this.vectorDescription = vectorDescription;
        this.workingSetMiB = workingSetMiB;
        for (RunResult result : results) {
            BenchmarkParams params = result.getParams();
            // The median of the sampled call times: the machine may be shared, and a median shrugs off
            // the calls that were descheduled, where a mean would report the neighbours' load.
            double score = result.getPrimaryResult().getStatistics().getPercentile(50);
            if (params.getBenchmark().startsWith(MemoryBandwidth.class.getName())) {
                long bytes = (long) Integer.parseInt(params.getParam("mebibytes")) << 20;
                bandwidthGBs = bytes / (toMicros(score, result.getPrimaryResult().getScoreUnit()) * 1e3);
                bandwidthSetup = params.getParam("mebibytes") + " MiB, "
                        + ("0".equals(params.getParam("threads")) ? "all" : params.getParam("threads")) + " threads";
            } else {
                Key key = new Key(params.getParam("shape"), params.getParam("dtype"), Integer.parseInt(params.getParam("batch")));
                double micros = toMicros(score, result.getPrimaryResult().getScoreUnit());
                ("scalar".equals(params.getParam("kernels")) ? scalarMicros : vectorMicros).put(key, micros);
            }
        }
    }

    private static double toMicros(double score, String unit) {
        return switch (unit) {
            case "us/op" -> score;
            case "ms/op" -> score * 1e3;
            case "ns/op" -> score / 1e3;
            case "s/op" -> score * 1e6;
            default -> throw new IllegalStateException("unexpected JMH unit " + unit);
        };
    }

    void print(PrintStream out) {
        out.printf(Locale.ROOT, "%nMemory read bandwidth (plain Java sum, %s, median): %.1f GB/s%n", bandwidthSetup, bandwidthGBs);
        if (vectorMicros.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "%nmatmul, median time per call, weights off-heap; vector = %s; scalar = reference loop, 1 thread%n",
                vectorDescription);
        out.printf(Locale.ROOT, "GB/s counts weight bytes read once per call; %s.%n", workingSetMiB == 0
                ? "one copy of each matrix, so small shapes are served from cache"
                : "calls cycle through " + workingSetMiB + " MiB of matrix copies, so weights come from DRAM as in decoding");
        out.printf(Locale.ROOT, "%-10s %-5s %5s %11s %11s %8s %9s %8s %8s%n",
                "shape", "type", "batch", "vector us", "scalar us", "speed-up", "GFLOP/s", "GB/s", "of b/w");
        for (Map.Entry<Key, Double> e : vectorMicros.entrySet()) {
            Key k = e.getKey();
            double micros = e.getValue();
            MatmulShape shape = MatmulShape.parse(k.shape());
            double gflops = shape.flops(k.batch()) / (micros * 1e3);
            double gbs = shape.weightBytes(DType.valueOf(k.dtype())) / (micros * 1e3);
            Double scalar = scalarMicros.get(k);
            out.printf(Locale.ROOT, "%-10s %-5s %5d %11.1f %11s %8s %9.1f %8.1f %7.0f%%%n",
                    k.shape(), k.dtype(), k.batch(), micros,
                    scalar == null ? "-" : String.format(Locale.ROOT, "%.1f", scalar),
                    scalar == null ? "-" : String.format(Locale.ROOT, "%.1fx", scalar / micros),
                    gflops, gbs, 100 * gbs / bandwidthGBs);
        }
        printBatchGains(out);
    }

    /** Throughput gain of a batch over running its sequences one by one: batch x time(1) / time(batch). */
    private void printBatchGains(PrintStream out) {
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<Key, Double> e : vectorMicros.entrySet()) {
            Key k = e.getKey();
            Double single = vectorMicros.get(new Key(k.shape(), k.dtype(), 1));
            if (k.batch() > 1 && single != null) {
                lines.append(String.format(Locale.ROOT, "  %-10s %-5s batch %-3d %5.1fx  (%.1f us per sequence vs %.1f alone)%n",
                        k.shape(), k.dtype(), k.batch(), k.batch() * single / e.getValue(), e.getValue() / k.batch(), single));
            }
        }
        if (!lines.isEmpty()) {
            out.printf(Locale.ROOT, "%nBatching gain, vector kernels (batch x time at batch 1 / time at batch):%n%s", lines);
        }
    }
}
