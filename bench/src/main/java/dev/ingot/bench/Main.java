package dev.ingot.bench;

import dev.ingot.bench.kernel.KernelsCommand;
import dev.ingot.bench.serve.BatchingCommand;
import dev.ingot.bench.update.UpdatesCommand;
import dev.ingot.bench.model.EndToEndCommand;
import dev.ingot.bench.model.EndToEndOptions;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** Entry point of {@code bench/run}: one subcommand per benchmark family, listed in {@link #COMMANDS}. */
public final class Main {

    private static final String KERNEL_OPTIONS = """
              --shapes 768x768,4096x4096   matrix shapes ROWSxCOLS (out x in)
              --dtypes F32,BF16,F16        weight types
              --batches 1,16               batch sizes
              --threads N                  kernel and reader threads (default: available processors)
              --working-set MiB            matrix copies cycled through so weights stream from DRAM
                                           as in decoding (default 256; 0 = one cache-hot copy)
              --no-scalar                  skip the scalar baseline
              --quick                      shorter warm-up and measurement (noisier)
              -v                           show JMH's own progress output""";

    /** One line per subcommand, so additions merge without conflicts in the code around them. */
    static final List<BenchCommand> COMMANDS = List.of(
            new BenchCommand("all", """
                    synthetic 15M/110M/1.1B checkpoints (llama2.c F32, HF F32 and BF16): decode tok/s vs the
                    bandwidth bound, cold start vs cat, peak RSS and heap vs model size, JMH kernel table;
                    markdown to stdout and bench/results/latest.md
                      --quick            15M and 110M only, shorter kernel runs
                      --models DIR       where the synthetic checkpoints are kept (default bench/target/models)
                      --tokenizer FILE   tokenizer file (default: a synthetic 32000-token llama2.c vocabulary)
                      --threads N        kernel threads (default: available processors)
                      --no-kernels       skip the JMH kernel table
                      --no-cold-start    skip the cold starts (decode only)
                      --only 110M,1.1B   measure only these shapes""",
                    (args, out) -> EndToEndCommand.run(EndToEndOptions.parse(args), out)),
            new BenchCommand("kernels", """
                    matmul time, GFLOP/s and GB/s of the Vector API kernels against the scalar
                    reference and against the memory bandwidth measured in the same run
                    """ + KERNEL_OPTIONS.indent(2),
                    (args, out) -> KernelsCommand.run(BenchOptions.parse(args), true, out)),
            new BenchCommand("kernels-ab", """
                    matmul of two builds in one JVM (each benchmarks.jar in its own class loader), calls alternating,
                    best-of per build, same bits checked: ratios that survive a loaded machine
                      --base JAR         benchmarks.jar of the build to compare with (required)
                      --new JAR          the other build (default: this jar)
                      --shapes, --dtypes, --batches, --threads as for kernels (default threads 2)
                      --rounds N         alternating rounds (default 20)""",
                    dev.ingot.bench.kernel.JarComparisonCommand::run),
            new BenchCommand("panels", """
                    matmul on one thread, weights repacked in F32 panels against the row kernels reading them in place
                    (8 bytes past a cache line, as mapped), GFLOP/s of thread CPU time, both orders, ratios per round
                      [SHAPES] [BATCHES] [ROUNDS] [TYPE]   default 768x2048,2048x768,32000x768 1,16,64 4 F32 (or BF16)""",
                    dev.ingot.engine.kernel.PanelProbe::run),
            new BenchCommand("attention-ab", """
                    paged attention kernels (scores then values, blocks of 16) of two builds in one JVM, rounds alternating,
                    best-of in thread CPU time, 64 MiB of blocks cycled through (from DRAM), same bits checked
                      --base JAR         benchmarks.jar of the build to compare with (required)
                      --new JAR          the other build, a jar or a class path (default: this jar)
                      --context N (default 192)   --rounds N (default 15)   --dtypes BF16,F32""",
                    dev.ingot.bench.kernel.AttentionJarComparisonCommand::run),
            new BenchCommand("decode-sweep", """
                    the matmuls of one batch-1 decode step of a real checkpoint (model order and fusions, no attention), from
                    the loader's mapping and from copies in anonymous memory (small and huge pages), 1 and 2 threads,
                    placements alternating: G weights/s per matrix group (each call's best of the rounds), CPU efficiency,
                    two threads against one
                      --model FILE (required; e.g. bench/target/models/llama-1.1B-q8_0.gguf)   --plugins DIR
                      --twin FILE        a copy of the model file, swept as its own placement (another page cache)
                      --threads 1,2   --placements mapped,anon,huge,huge+N   --rounds N (default 5)   --warm-up SECONDS (default 10)""",
                    dev.ingot.bench.kernel.DecodeSweepCommand::run),
            new BenchCommand("prefill-ab", """
                    prefill of one prompt by two builds in one JVM (each benchmarks.jar in its own class loader), rounds
                    alternating, per-round ratios and their median: the end-to-end counterpart of kernels-ab
                      --base JAR --model FILE --plugins DIR   (required; e.g. bench/target/models/llama-110M-f32.gguf)
                      --new JAR          the other build (default: this jar)
                      --rounds N (default 5)   --threads N (default 2)   --prefill N tokens (default 200)""",
                    dev.ingot.bench.quant.PrefillComparisonCommand::run),
            new BenchCommand("attention", """
                    attention's score and value kernels over the heap cache's arrays against the paged cache's blocks
                    (F32, BF16), one layer at context 1,008 (15M, 110M, 1.1B GQA shapes), alternating rounds in one JVM, thread CPU time (--quick: fewer calls); then a
                    batched decode step with attention split across the kernel threads against the calling thread only
                    (--split-only: that table alone)""",
                    dev.ingot.bench.kernel.AttentionKernelsCommand::run),
            new BenchCommand("bandwidth", "memory read bandwidth of this machine (plain Java sum over off-heap memory)",
                    (args, out) -> KernelsCommand.run(BenchOptions.parse(args), false, out)),
            new BenchCommand("batching", """
                    aggregate tokens/s of the continuous-batching scheduler at batch 1, 4, 16 and 64
                    (or --batches) on a ~110M-parameter Llama with random BF16 weights, as ratios
                    to batch 1 measured in the same run (--threads, --quick apply)""",
                    (args, out) -> BatchingCommand.run(BenchOptions.parse(args), Arrays.asList(args).contains("--batches"), out)),
            new BenchCommand("updates", """
                    a FULL weight update over HTTP and over the tcp transport plugin (GB/s, process CPU s/GB) against raw loopback sockets
                    (as many as connections) carrying the same bytes in the same run, and what the swap
                    does to a sequence decoding meanwhile
                      --model-mb N       size of the random BF16 Llama (default 600)
                      --bucket-mb N      bucket size of the push (default 64)
                      --connections LIST buckets in flight at once, one row each (default 1,2,4)
                      --threads N        kernel threads (default: available processors)
                      --no-checksums     push without CRC-32s (what they cost, both sides)
                      --transport LIST   http, tcp or http,tcp (default both; tcp uses one connection)
                      --warmups N        unmeasured pushes per connection count first (default 2)
                      --trainer process  the pushing actor in a JVM of its own, as deployed: raw transfers and
                                         pushes start there (one connection; default in-process)
                      --trainer python   the same with the Python client (clients/python) in a process of its own""",
                    UpdatesCommand::run),
            new BenchCommand("rollout", """
                    group sampling: n = 1, 8, 32 samples of a 1,000-token prompt, 128 new tokens each, on a synthetic
                    110M Llama (15M with --quick), prompt sharing on (one request, n choices) and off (n requests, no
                    prefix cache), as ratios to the prefill of one sample; then decode tok/s of the paged KV cache
                    (F32, BF16) against the heap cache, all in the same run (--threads, --quick, --no-decode;
                    --decode-only: that last table alone)""",
                    dev.ingot.bench.rollout.RolloutCommand::run),
            new BenchCommand("capacity", """
                    64 sequences x 4,096 positions with TinyLlama-1.1B's KV geometry (narrow model, sliding window 64), then
                    the 1.1B shape itself for a short run, each in a child JVM at -Xmx256m: KV held, preemptions, heap, RSS, time
                      --sequences N --positions N --prompt N --window N   the first run (defaults 64, 4096, positions - 512, 64)
                      --kv-dtype bf16|f32 --kv-cache-bytes 4g             its KV cache (defaults bf16, 4g)
                      --tinyllama-positions N                             positions of the 1.1B run (default 32, half prompt)
                      --only kv-geometry|tinyllama                        one of the two runs""",
                    dev.ingot.bench.capacity.CapacityCommand::run),
            new BenchCommand("quant", """
                    Ingot against llama.cpp on the same GGUF files: the synthetic 110M Llama written as GGUF F32 by
                    ingot convert, quantized by llama-quantize; batch-1 decode tok/s and prefill tok/s of both in
                    alternating rounds (best-of, spread, ratios), then where their greedy tokens part. llama.cpp is run through an
                    anchor script (default ../shared/anchors/llamacpp.sh, or LLAMACPP_SH; see QuantCommand). Each Ingot
                    measurement runs in a child JVM of its own (this JVM's java, options and class path), as llama-bench does
                      --types F32,F16,Q8_0,Q4_0,Q4_K_M   files (llama-quantize types; TYPE-pure: --pure)
                      --rounds N         alternating rounds (default 3)
                      --same-jvm         measure every file in this JVM, one after the other (the old way: later
                                         files can run several times slower, issue 11)
                      --steps N          decode steps timed (default 64; llama-bench tgN)
                      --prefill N        prompt tokens prefilled in one pass (default 200; llama-bench ppN); --no-prefill
                      --threads N        threads for both engines (default 2)
                      --plugins DIR      folder with the gguf plugin jar (default build/plugins)
                      --anchor SCRIPT | --no-anchor
                      --text-model DIR   a real Llama checkpoint for the greedy-token check too
                                         (default ../shared/models/stories260K-hf); --no-text skips the check
                      --gen-tokens N     greedy tokens compared (default 100)
                      --shape 110M|1.1B  the synthetic model (default 110M; 1.1B is TinyLlama's geometry, ~4.4 GB F32)
                      --text-only        only the greedy-token check on the text model (no synthetic model)
                      --text-file FILE   one more GGUF file for the greedy-token check (repeatable)""",
                    dev.ingot.bench.quant.QuantCommand::run),
            new BenchCommand("batched", """
                    batched decode against llama.cpp's llama-batched-bench on the same file (the synthetic 110M Llama,
                    GGUF F32): S_TG decode tok/s of Ingot's scheduler and llama.cpp at 1, 16, 64 parallel sequences,
                    alternating rounds, best-of, spread, ratio Ingot / llama.cpp; S_PP prefill alongside
                      --npl 1,16,64      parallel sequences   --npp N   prompt tokens each (default 128)
                      --ntg N            generated tokens each (default 128)   --rounds N (default 3)
                      --threads N        threads for both engines (default 2)
                      --kv-cache-dtype BF16|F32|BF16,F32   Ingot's KV cache (default BF16: llama.cpp's is F16, the
                                         same bytes); a list measures each in the same rounds and prints their ratio
                      --kv-lazy          Ingot's KV blocks allocated while timed, as a server's first batch (default:
                                         allocated before timing, sized as llama-batched-bench's -c)
                      --weights TYPE     the file's weight type: F32 (default, ingot convert) or F16, BF16, Q8_0, ...
                                         (written from it by llama-quantize; both engines read that file)
                      --quick            32 + 32 tokens, 1 round   --plugins DIR, --anchor SCRIPT | --no-anchor as quant""",
                    dev.ingot.bench.batched.BatchedCommand::run),
            new BenchCommand("decode-profile", """
                    shares of a decode step by part (matmul call and phase, attention, KV blocks, sampling, pool) from
                    the execution samples of a JFR recording of `bench/run batched` (see bench/RESULTS.md, issue 14)
                      FILE.jfr [FROM TO]   only samples between two instants (-Dbench.decodeWindow=true prints them)""",
                    dev.ingot.bench.batched.DecodeProfile::run),
            new BenchCommand("grammar", """
                    json_schema vocabulary mask per token: token-trie walk vs every token one by one vs json_object,
                    on one sampled sequence replayed by all three (ratios in the same run)
                      [TOKENIZER_JSON] [SEQUENCES]   default ../shared/tokenizers/qwen3/tokenizer.json, 3""",
                    dev.ingot.bench.grammar.GrammarMaskCommand::run));

    private Main() {}

    private static final String ENGINE_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.ingot";

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            usage(System.out);
            return;
        }
        BenchCommand command = COMMANDS.stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
        if (command == null) {
            System.err.println("bench: unknown command '" + args[0] + "'");
            usage(System.err);
            System.exit(2);
            return;
        }
        // The engine logs a line per weight update and per load: between a benchmark's table rows that is
        // noise. Set before the first logger is made; -Dorg.slf4j.simpleLogger.log.dev.ingot=info brings them back.
        if (System.getProperty(ENGINE_LOG_LEVEL) == null) {
            System.setProperty(ENGINE_LOG_LEVEL, "warn");
        }
        try {
            command.action().run(Arrays.copyOfRange(args, 1, args.length), System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("bench " + command.name() + ": " + e.getMessage());
            usage(System.err);
            System.exit(2);
        }
    }

    private static void usage(PrintStream out) {
        out.println("Usage: bench/run <command> [options]");
        out.println("Commands:");
        for (BenchCommand command : COMMANDS) {
            out.printf("  %-10s %s%n", command.name(), command.usage().strip().replace("\n", "\n             "));
        }
    }
}
