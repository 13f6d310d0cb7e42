package dev.ingot.bench;

import java.util.List;

/** Command-line options shared by the benchmark subcommands. */
public record BenchOptions(List<String> shapes, List<String> dtypes, List<String> batches, int threads,
        int workingSetMiB, boolean scalar, boolean quick, boolean verbose) {

    public static final List<String> DEFAULT_SHAPES = List.of("768x768", "2048x768", "768x2048", "4096x4096");

    public static BenchOptions parse(String... args) {
        List<String> shapes = DEFAULT_SHAPES;
        List<String> dtypes = List.of("F32", "BF16", "F16");
        List<String> batches = List.of("1", "16");
        int threads = Runtime.getRuntime().availableProcessors();
        int workingSetMiB = 256;
        boolean scalar = true;
        boolean quick = false;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shapes" -> shapes = list(args, ++i, "--shapes");
                case "--dtypes" -> dtypes = list(args, ++i, "--dtypes");
                case "--batches" -> batches = list(args, ++i, "--batches");
                case "--threads" -> threads = Integer.parseInt(value(args, ++i, "--threads"));
                case "--working-set" -> workingSetMiB = Integer.parseInt(value(args, ++i, "--working-set"));
                case "--no-scalar" -> scalar = false;
                case "--quick" -> quick = true;
                case "-v" -> verbose = true;
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return new BenchOptions(shapes, dtypes, batches, threads, workingSetMiB, scalar, quick, verbose);
    }

    private static List<String> list(String[] args, int i, String option) {
        return List.of(value(args, i, option).split(","));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
