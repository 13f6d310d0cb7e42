package dev.ingot.bench;

import dev.ingot.bench.kernel.KernelsCommand;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * Entry point of {@code bench/run}: one subcommand per benchmark family. The end-to-end families
 * ({@code decode}: tokens/s against the bandwidth bound; {@code load}: checkpoint load and weight
 * update times) will sit beside these once the model benchmarks are written.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage(System.out);
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
                Options:
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
