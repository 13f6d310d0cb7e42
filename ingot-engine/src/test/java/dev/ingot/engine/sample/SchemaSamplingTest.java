package dev.ingot.engine.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ingot.engine.tokenizer.HfTokenizer;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.testkit.SharedModels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Samples with the Qwen3 tokenizer's 151 k vocabulary, uniformly among the tokens the constraint
 * allows (temperature 1 over flat logits: the hardest model for a grammar), and checks every finished
 * text with networknt's JSON Schema validator, an implementation nobody here wrote.
 */
class SchemaSamplingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final int MAX_STEPS = 160;
    private static Tokenizer qwen;

    @BeforeAll
    static void load() throws Exception {
        qwen = HfTokenizer.load(SharedModels.tokenizers().resolve("qwen3").resolve("tokenizer.json"));
    }

    private static final List<String> SCHEMAS = List.of("""
            {"type":"object","additionalProperties":false,"required":["name","age","tags"],
             "properties":{"name":{"type":"string","minLength":1,"maxLength":12},"age":{"type":"integer"},
                           "score":{"type":"number"},"tags":{"type":"array","items":{"type":"string","maxLength":6},"maxItems":3},
                           "ok":{"type":"boolean"}}}""", """
            {"type":"object","required":["kind","value"],
             "properties":{"kind":{"enum":["circle","square",3,null,{"a":[1,"b"]}]},
                           "value":{"anyOf":[{"type":"null"},{"type":"integer"},{"type":"string","maxLength":4}]},
                           "id":{"const":"fixed \\"q\\" é"}}}""", """
            {"type":"object","required":["root"],"properties":{"root":{"$ref":"#/$defs/node"}},
             "$defs":{"node":{"type":"object","required":["v"],"properties":{
                "v":{"type":["integer","null"]},
                "kids":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}}}}}""", """
            {"type":"object","required":["a","b"],"properties":{
                "a":{"type":"string","minLength":3,"maxLength":3},
                "b":{"type":"array","items":{"type":"object","properties":{"x":{"type":"boolean"}},"required":["x"]},
                     "minItems":1,"maxItems":2}}}""");

    @Test
    void everyFinishedTextValidatesAndEveryCutOneIsAPrefix() throws Exception {
        for (String text : SCHEMAS) {
            Schema validator = VALIDATORS.getSchema(text, InputFormat.JSON);
            SchemaNode root = JsonSchemaCompiler.compile(JSON.readTree(text));
            int finished = 0;
            int seeds = 12;
            for (int seed = 0; seed < seeds; seed++) {
                Sample sample = sample(root, seed);
                if (sample.finished) {
                    finished++;
                    assertThat(validator.validate(sample.text, InputFormat.JSON)).as(sample.text).isEmpty();
                } else {
                    assertThat(catchThrowable(() -> JSON.readTree(sample.text))).as("a cut text is a JSON prefix: " + sample.text)
                            .isInstanceOf(com.fasterxml.jackson.core.io.JsonEOFException.class);
                }
            }
            assertThat(finished).as("most samples of " + text + " finish within " + MAX_STEPS + " tokens").isGreaterThan(seeds / 2);
        }
    }

    @Test
    void theTrieWalkBansExactlyWhatTokenByTokenMatchingBans() throws Exception {
        sameMasks(SCHEMAS.get(1), 7);
        // Free strings take the walk's shortcut (plain runs skipped): most steps here are inside one.
        assertThat(sameMasks("""
                {"type":"object","required":["s","t"],"properties":{"s":{"type":"string"},"t":{"type":"string","minLength":2}}}""", 3))
                .as("steps inside a free string").isGreaterThan(3);
    }

    /** Compares the masks along a sampled sequence; returns how many steps were inside a free string. */
    private static int sameMasks(String schema, long seed) throws Exception {
        SchemaNode root = JsonSchemaCompiler.compile(JSON.readTree(schema));
        SplittableRandom random = new SplittableRandom(seed);
        int vocab = qwen.vocabSize();
        SchemaConstraint constraint = new SchemaConstraint(root, qwen, vocab, -1);
        SchemaPrefix state = SchemaPrefix.start(root);
        int previous = -1;
        int free = 0;
        for (int step = 0; step < 12 && !constraint.complete(); step++) {
            free += state.inFreeString() ? 1 : 0;
            int[] banned = constraint.banned();
            List<Integer> expected = new ArrayList<>();
            for (int t = 0; t < vocab; t++) {
                byte[] bytes = qwen.decode(previous, t);
                if (bytes.length == 0 || state.acceptAll(bytes) == null) {
                    expected.add(t);
                }
            }
            assertThat(Arrays.stream(banned).boxed().toList()).as("step " + step).isEqualTo(expected);
            int token = pick(banned, vocab, random);
            constraint.advance(token);
            state = state.acceptAll(qwen.decode(previous, token));
            previous = token;
        }
        return free;
    }

    private record Sample(String text, boolean finished) {}

    private static Sample sample(SchemaNode root, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int vocab = qwen.vocabSize();
        SchemaConstraint constraint = new SchemaConstraint(root, qwen, vocab, -1);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int previous = -1;
        for (int step = 0; step < MAX_STEPS && !constraint.complete(); step++) {
            int token = pick(constraint.banned(), vocab, random);
            constraint.advance(token);
            text.writeBytes(qwen.decode(previous, token));
            previous = token;
        }
        return new Sample(text.toString(StandardCharsets.UTF_8), constraint.complete());
    }

    /** A uniformly drawn token that is not banned. */
    private static int pick(int[] banned, int vocab, SplittableRandom random) {
        BitSet allowed = new BitSet(vocab);
        allowed.set(0, vocab);
        for (int t : banned) {
            allowed.clear(t);
        }
        assertThat(allowed.cardinality()).as("something may always come next").isPositive();
        int k = random.nextInt(allowed.cardinality());
        int t = allowed.nextSetBit(0);
        while (k-- > 0) {
            t = allowed.nextSetBit(t + 1);
        }
        return t;
    }
}
