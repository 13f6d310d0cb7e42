package dev.ingot.bench;

import dev.ingot.bench.kernel.KernelsCommand;
import dev.ingot.bench.serve.BatchingCommand;
import dev.ingot.bench.update.UpdatesCommand;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of {@code bench/run}: one subcommand per benchmark family. {@code batching} (the
 * scheduler and model together) and {@code updates} (live weight updates over HTTP) are end to end;
 * {@code decode} (tokens/s against the bandwidth bound) and {@code load} will sit beside them.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage(System.out);
            return;
        }
        if (args[0].equals("updates")) {
            try {
                UpdatesCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out);
            } catch (IllegalArgumentException e) {
                System.err.println("bench: " + e.getMessage());
                usage(System.err);
                System.exit(2);
            }
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(Arrays.copyOfRange(args, 1, args.length));
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        switch (args[0]) {
            case "kernels" -> KernelsCommand.run(options, true, System.out);
            case "bandwidth" -> KernelsCommand.run(options, false, System.out);
            case "batching" -> BatchingCommand.run(options, Arrays.asList(args).contains("--batches"), System.out);
            default -> {
                System.err.println("bench: unknown command '" + args[0] + "'");
                usage(System.err);
                System.exit(2);
            }
        }
    }

    private static void usage(PrintStream out) {
        out.println("""
                Usage: bench/run <command> [options]
                Commands:
                  kernels    matmul time, GFLOP/s and GB/s of the Vector API kernels against the scalar
                             reference and against the memory bandwidth measured in the same run
                  bandwidth  memory read bandwidth of this machine (plain Java sum over off-heap memory)
                  batching   aggregate tokens/s of the continuous-batching scheduler at batch 1, 4, 16 and 64
                             (or --batches) on a ~110M-parameter Llama with random BF16 weights, as ratios
                             to batch 1 measured in the same run (--threads, --quick apply)
                  updates    a FULL weight update over HTTP (GB/s) against a raw loopback socket carrying the
                             same bytes, and the pause the swap causes to a sequence decoding meanwhile;
                             options: --model-mb N (default 600), --bucket-mb N (default 64), --threads N
                Options of kernels, bandwidth and batching:
                  --shapes 768x768,4096x4096   matrix shapes ROWSxCOLS (out x in)
                  --dtypes F32,BF16,F16        weight types
                  --batches 1,16               batch sizes
                  --threads N                  kernel and reader threads (default: available processors)
                  --working-set MiB            matrix copies cycled through so weights stream from DRAM
                                               as in decoding (default 256; 0 = one cache-hot copy)
                  --no-scalar                  skip the scalar baseline
                  --quick                      shorter warm-up and measurement (noisier)
                  -v                           show JMH's own progress output""");
    }
}
