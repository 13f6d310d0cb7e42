package dev.ingot.bench.model;

import java.nio.file.Path;

/**
 * Options of {@code bench/run all}.
 *
 * @param quick     15M and 110M only, shorter kernel benchmarks
 * @param models    where synthetic checkpoints are written (and reused from)
 * @param tokenizer a tokenizer file (default: none, a synthetic 32000-token llama2.c vocabulary is written so
 *                  every token a random model picks can be printed)
 * @param threads   kernel threads (0 = one per processor)
 * @param kernels   also run the JMH kernel table
 * @param root      the project root: server jar, plugin folder, results folder
 */
public record EndToEndOptions(boolean quick, Path models, Path tokenizer, int threads, boolean kernels, Path root) {

    public static EndToEndOptions parse(String... args) {
        Path root = Path.of(System.getenv().getOrDefault("INGOT_ROOT", ".")).toAbsolutePath().normalize();
        boolean quick = false;
        Path models = root.resolve("bench/target/models");
        Path tokenizer = null;
        int threads = 0;
        boolean kernels = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--models" -> models = Path.of(value(args, ++i, "--models"));
                case "--tokenizer" -> tokenizer = Path.of(value(args, ++i, "--tokenizer"));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i, "--threads"));
                case "--no-kernels" -> kernels = false;
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return new EndToEndOptions(quick, models, tokenizer, threads, kernels, root);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    public Path serverJar() {
        return root.resolve("ingot-server/target/ingot.jar");
    }

    public Path plugins() {
        return root.resolve("build/plugins");
    }
}
