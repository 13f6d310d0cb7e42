package dev.ingot.bench.model;

import java.nio.file.Path;
import java.util.List;

/**
 * Options of {@code bench/run all}.
 *
 * @param quick     15M and 110M only, shorter kernel benchmarks
 * @param models    where synthetic checkpoints are written (and reused from)
 * @param tokenizer a tokenizer file (default: none, a synthetic 32000-token llama2.c vocabulary is written so
 *                  every token a random model picks can be printed)
 * @param threads   kernel threads (0 = one per processor)
 * @param kernels   also run the JMH kernel table
 * @param coldStart also measure cold starts (and cat) in subprocesses
 * @param only      measure only the shapes with these names (empty: all for the mode)
 * @param root      the project root: server jar, plugin folder, results folder
 */
public record EndToEndOptions(boolean quick, Path models, Path tokenizer, int threads, boolean kernels, boolean coldStart,
        List<String> only, Path root) {

    public static EndToEndOptions parse(String... args) {
        Path root = Path.of(System.getenv().getOrDefault("INGOT_ROOT", ".")).toAbsolutePath().normalize();
        boolean quick = false;
        Path models = root.resolve("bench/target/models");
        Path tokenizer = null;
        int threads = 0;
        boolean kernels = true;
        boolean coldStart = true;
        List<String> only = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--models" -> models = Path.of(value(args, ++i, "--models"));
                case "--tokenizer" -> tokenizer = Path.of(value(args, ++i, "--tokenizer"));
                case "--threads" -> threads = Integer.parseInt(value(args, ++i, "--threads"));
                case "--no-kernels" -> kernels = false;
                case "--no-cold-start" -> coldStart = false;
                case "--only" -> only = List.of(value(args, ++i, "--only").split(","));
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        return new EndToEndOptions(quick, models, tokenizer, threads, kernels, coldStart, only, root);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** The shapes to measure: {@code --only}, else all (15M and 110M with {@code --quick}). */
    public List<ModelShape> shapes() {
        List<ModelShape> mode = quick ? List.of(ModelShape.M15, ModelShape.M110) : ModelShape.ALL;
        if (only.isEmpty()) {
            return mode;
        }
        List<ModelShape> chosen = ModelShape.ALL.stream().filter(s -> only.contains(s.name())).toList();
        if (chosen.size() != only.size()) {
            throw new IllegalArgumentException("--only takes shape names from "
                    + ModelShape.ALL.stream().map(ModelShape::name).toList() + ", got " + only);
        }
        return chosen;
    }

    public Path serverJar() {
        return root.resolve("ingot-server/target/ingot.jar");
    }

    public Path plugins() {
        return root.resolve("build/plugins");
    }
}
