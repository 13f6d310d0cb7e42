package dev.ingot.engine.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonConstraintTest {

    /** Feeds {@code text}; the number of bytes taken before the first refused one (all of them when none is). */
    private static int taken(JsonPrefix json, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (!json.accept(bytes[i] & 0xff)) {
                return i;
            }
        }
        return bytes.length;
    }

    @Test
    void wholeObjectsAreTakenAndComplete() {
        for (String doc : List.of("{}", " {\"a\": 1}", "{\"a\":[1,-2.5e+3,0,0.25E9,true,false,null,\"x\\n\\u00e9\"],\"b\":{\"c\":{}}}",
                "{\"k\":\"caf\u00e9 \\\"q\\\"\"}", "{\n  \"list\": [ [], [ {} ] ]\n}")) {
            JsonPrefix json = new JsonPrefix();
            assertThat(taken(json, doc)).as(doc).isEqualTo(doc.getBytes(StandardCharsets.UTF_8).length);
            assertThat(json.complete()).as(doc).isTrue();
        }
    }

    @Test
    void aPrefixIsNotCompleteUntilTheObjectCloses() {
        JsonPrefix json = new JsonPrefix();
        assertThat(taken(json, "{\"a\": [1, {\"b\": null}")).isEqualTo(21);
        assertThat(json.complete()).isFalse();
        assertThat(json.accept('}')).as("the array is still open").isFalse();
    }

    @Test
    void theFirstByteThatBreaksJsonIsRefused() {
        assertThat(taken(new JsonPrefix(), "[1]")).as("the top level is an object").isZero();
        assertThat(taken(new JsonPrefix(), "{a")).isEqualTo(1);
        assertThat(taken(new JsonPrefix(), "{\"a\" 1")).isEqualTo(5);
        assertThat(taken(new JsonPrefix(), "{\"a\":01")).isEqualTo(6);
        assertThat(taken(new JsonPrefix(), "{\"a\":tru}")).isEqualTo(8);
        assertThat(taken(new JsonPrefix(), "{\"a\":1,}")).isEqualTo(7);
        assertThat(taken(new JsonPrefix(), "{\"a\":\"\\x\"}")).isEqualTo(7);
        assertThat(taken(new JsonPrefix(), "{\"a\":\"line\nbreak\"}")).as("control characters must be escaped").isEqualTo(10);
        assertThat(taken(new JsonPrefix(), "{\"a\":1]")).isEqualTo(6);
        assertThat(taken(new JsonPrefix(), "{}}")).as("nothing follows the object").isEqualTo(2);
        assertThat(taken(new JsonPrefix(), "{\"a\":-}")).isEqualTo(6);
        assertThat(taken(new JsonPrefix(), "{\"a\":1.}")).isEqualTo(7);
    }

    @Test
    void whitespaceRunsAreCapped() {
        JsonPrefix json = new JsonPrefix();
        assertThat(taken(json, "{" + " ".repeat(JsonPrefix.MAX_WHITESPACE + 5))).isEqualTo(1 + JsonPrefix.MAX_WHITESPACE);
        JsonPrefix inString = new JsonPrefix();
        String longString = "{\"k\":\"" + " ".repeat(100) + "\"}";
        assertThat(taken(inString, longString)).as("inside a string, spaces are text").isEqualTo(longString.length());
    }

    /** A vocabulary of whole pieces: id i is PIECES[i]; id 0 is a control token (no bytes). */
    private static final String[] PIECES = {"", "{", "}", "\"a\"", ":", " 1", "}}", "x", " ", "\"", "[1"};

    private static final Tokenizer PIECE_TOKENIZER = new Tokenizer() {
        public int vocabSize() {
            return PIECES.length;
        }

        public int bosId() {
            return -1;
        }

        public int eosId() {
            return 0;
        }

        public int[] encode(String text) {
            throw new UnsupportedOperationException();
        }

        public byte[] decode(int previousToken, int token) {
            return PIECES[token].getBytes(StandardCharsets.UTF_8);
        }

        public String piece(int token) {
            return PIECES[token];
        }
    };

    private static List<Integer> allowed(JsonConstraint json, int vocab) {
        List<Integer> banned = new ArrayList<>();
        for (int id : json.banned()) {
            banned.add(id);
        }
        List<Integer> out = new ArrayList<>();
        for (int id = 0; id < vocab; id++) {
            if (!banned.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    @Test
    void eachStepAllowsExactlyTheTokensThatKeepAJsonObjectPrefix() {
        JsonConstraint json = new JsonConstraint(PIECE_TOKENIZER, PIECES.length + 2, -1);
        assertThat(allowed(json, PIECES.length + 2)).as("'{' or whitespace; never EOS, never ids the tokenizer lacks")
                .containsExactly(1, 8);
        json.advance(1);
        assertThat(allowed(json, PIECES.length + 2)).containsExactly(2, 3, 8, 9);
        json.advance(3);
        assertThat(allowed(json, PIECES.length + 2)).containsExactly(4, 8);
        json.advance(4);
        assertThat(allowed(json, PIECES.length + 2)).as("any value").containsExactly(1, 3, 5, 8, 9, 10);
        json.advance(5);
        assertThat(allowed(json, PIECES.length + 2)).as("'}}' would close one object too many").containsExactly(2, 8);
        assertThat(json.complete()).isFalse();
        json.advance(2);
        assertThat(json.complete()).isTrue();
        assertThat(json.banned()).hasSize(PIECES.length + 2);
    }
}
