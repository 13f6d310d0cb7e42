package dev.ingot.bench.grammar;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.engine.sample.JsonConstraint;
import dev.ingot.engine.sample.JsonSchemaCompiler;
import dev.ingot.engine.sample.SchemaConstraint;
import dev.ingot.engine.sample.SchemaNode;
import dev.ingot.engine.sample.SchemaPrefix;
import dev.ingot.engine.tokenizer.HfTokenizer;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Time per token of the {@code json_schema} vocabulary mask (token-trie walk) against matching every
 * token's bytes one by one through the same automaton, and against the {@code json_object} mask, on one
 * sampled token sequence replayed by all three in the same run.
 */
public final class GrammarMaskCommand {

    /** The same object with its string lengths bounded (each step walks the trie) and free (the walk's shortcut). */
    private static final String SCHEMA = """
            {"type":"object","additionalProperties":false,"required":["name","age","tags"],
             "properties":{"name":{"type":"string"MAX},"age":{"type":"integer"},
                           "tags":{"type":"array","items":{"enum":["red","green","blue"]},"maxItems":4},
                           "note":{"type":"string"MAX},"ok":{"type":"boolean"}}}""";

    private GrammarMaskCommand() {}

    public static void run(String[] args, PrintStream out) throws Exception {
        Path tokenizerPath = Path.of(args.length > 0 ? args[0] : "../shared/tokenizers/qwen3/tokenizer.json");
        int sequences = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Tokenizer tokenizer = HfTokenizer.load(tokenizerPath);
        for (String max : new String[] {",\"maxLength\":24", ""}) {
            out.println(max.isEmpty() ? "strings without maxLength:" : "strings with maxLength 24:");
            measure(tokenizer, tokenizerPath, sequences, JsonSchemaCompiler.compile(new ObjectMapper().readTree(SCHEMA.replace("MAX", max))), out);
        }
    }

    private static void measure(Tokenizer tokenizer, Path tokenizerPath, int sequences, SchemaNode root, PrintStream out) {
        int vocab = tokenizer.vocabSize();

        long buildStart = System.nanoTime();
        new SchemaConstraint(root, tokenizer, vocab, -1).advance(tokenizer.encode("{")[0]); // builds the shared trie
        SchemaConstraint warm = new SchemaConstraint(root, tokenizer, vocab, -1);
        warm.banned();
        warm.advance(tokenizer.encode("{")[0]);
        warm.banned();
        long buildNanos = System.nanoTime() - buildStart;

        long trie = 0;
        long oneByOne = 0;
        long jsonObject = 0;
        int steps = 0;
        for (int seed = 0; seed < sequences; seed++) {
            int[] tokens = sample(root, tokenizer, vocab, seed);
            SchemaConstraint schema = new SchemaConstraint(root, tokenizer, vocab, -1);
            JsonConstraint json = new JsonConstraint(tokenizer, vocab, -1);
            SchemaPrefix state = SchemaPrefix.start(root);
            int previous = -1;
            for (int i = 0; i < tokens.length; i++) {
                if (i > 0) { // the first step is token by token in both (it may follow BOS)
                    long t0 = System.nanoTime();
                    int a = schema.banned().length;
                    long t1 = System.nanoTime();
                    int b = bannedOneByOne(state, tokenizer, vocab, previous);
                    long t2 = System.nanoTime();
                    json.banned();
                    long t3 = System.nanoTime();
                    if (a != b) {
                        throw new IllegalStateException("masks differ at step " + i + ": " + a + " vs " + b);
                    }
                    trie += t1 - t0;
                    oneByOne += t2 - t1;
                    jsonObject += t3 - t2;
                    steps++;
                }
                schema.advance(tokens[i]);
                json.advance(tokens[i]);
                state = state.acceptAll(tokenizer.decode(previous, tokens[i]));
                previous = tokens[i];
            }
        }
        out.printf("vocabulary %d tokens (%s), %d masked steps over %d sampled sequences%n", vocab, tokenizerPath, steps, sequences);
        out.printf("first use (trie build + 2 masks): %.0f ms%n", buildNanos / 1e6);
        out.println("| mask | ms per token | ratio to token-by-token |");
        out.println("|---|---:|---:|");
        row(out, "json_schema, token-trie walk (this build)", trie, steps, oneByOne);
        row(out, "json_schema, every token's bytes one by one", oneByOne, steps, oneByOne);
        row(out, "json_object (JsonConstraint, one by one)", jsonObject, steps, oneByOne);
    }

    private static void row(PrintStream out, String name, long nanos, int steps, long baseline) {
        out.printf("| %s | %.2f | %.3f |%n", name, nanos / 1e6 / steps, (double) nanos / baseline);
    }

    private static int bannedOneByOne(SchemaPrefix state, Tokenizer tokenizer, int vocab, int previous) {
        int banned = 0;
        for (int t = 0; t < vocab; t++) {
            byte[] bytes = tokenizer.decode(previous, t);
            if (bytes.length == 0 || state.acceptAll(bytes) == null) {
                banned++;
            }
        }
        return banned;
    }

    /** A token sequence drawn uniformly among the allowed tokens, until the object closes or 150 tokens. */
    private static int[] sample(SchemaNode root, Tokenizer tokenizer, int vocab, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        SchemaConstraint c = new SchemaConstraint(root, tokenizer, vocab, -1);
        int[] out = new int[150];
        int n = 0;
        while (n < out.length && !c.complete()) {
            BitSet allowed = new BitSet(vocab);
            allowed.set(0, vocab);
            for (int t : c.banned()) {
                allowed.clear(t);
            }
            int k = random.nextInt(allowed.cardinality());
            int t = allowed.nextSetBit(0);
            while (k-- > 0) {
                t = allowed.nextSetBit(t + 1);
            }
            c.advance(t);
            out[n++] = t;
        }
        return Arrays.copyOf(out, n);
    }
}
