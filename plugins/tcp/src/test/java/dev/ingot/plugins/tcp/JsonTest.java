package dev.ingot.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.json.JsonValue.JsonArray;
import dev.ingot.spi.json.JsonValue.JsonNumber;
import dev.ingot.spi.json.JsonValue.JsonObject;
import dev.ingot.spi.json.JsonValue.JsonString;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin's own JSON against Jackson: what Jackson writes it reads, what it writes Jackson reads back equal. */
class JsonTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void readsWhatJacksonWrites() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "model.layers.0.q\u00e9\"\\\n\t\u0001\u2028 \uD83D\uDE00");
        value.put("shape", List.of(4096L, 11008L, Long.MAX_VALUE));
        value.put("neg", -12.5e-3);
        value.put("flags", List.of(true, false));
        value.put("nothing", null);
        String text = JACKSON.writeValueAsString(value);
        JsonObject parsed = (JsonObject) Json.parse(text);
        assertThat(((JsonString) parsed.get("name").orElseThrow()).value()).isEqualTo(value.get("name"));
        List<JsonValue> shape = ((JsonArray) parsed.get("shape").orElseThrow()).elements();
        assertThat(((JsonNumber) shape.get(2)).longValue()).isEqualTo(Long.MAX_VALUE);
        assertThat(((JsonNumber) parsed.get("neg").orElseThrow()).doubleValue()).isEqualTo(-12.5e-3);
        assertThat(parsed.get("nothing").orElseThrow()).isInstanceOf(JsonValue.JsonNull.class);
    }

    @Test
    void writesWhatJacksonReadsBackEqualOnOneLine() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("error", "line one\nline \"two\" \\ \u0000 \u2028 end");
        value.put("shape", new long[] {1, 2, 3});
        value.put("ok", false);
        value.put("n", 42L);
        String written = Json.write(value);
        assertThat(written).doesNotContain("\n").doesNotContain("\u2028");
        Map<?, ?> back = JACKSON.readValue(written, Map.class);
        assertThat(back.get("error")).isEqualTo(value.get("error"));
        assertThat(back.get("shape")).isEqualTo(List.of(1, 2, 3));
        assertThat(back.get("n")).isEqualTo(42);
    }

    @Test
    void refusesWhatIsNotOneStrictValue() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}")).hasMessageContaining("\"a\" appears twice");
        assertThatThrownBy(() -> Json.parse("{\"a\":1} x")).hasMessageContaining("unexpected text after the value");
        assertThatThrownBy(() -> Json.parse("[".repeat(100) + "]".repeat(100))).hasMessageContaining("nested deeper");
        assertThatThrownBy(() -> Json.parse("{\"a\":01}")).hasMessageContaining("expected ',' or '}'");
        assertThatThrownBy(() -> Json.parse("\"\\x\"")).hasMessageContaining("unknown escape");
        assertThatThrownBy(() -> Json.parse("\"a\tb\"")).hasMessageContaining("control character");
        assertThatThrownBy(() -> Json.parse("1" + "0".repeat(70))).hasMessageContaining("more than 64 characters");
        assertThatThrownBy(() -> Json.parse("")).hasMessageContaining("ends where a value should start");
        // Integer.parseInt would read a sign, Character.digit a fullwidth digit: Jackson refuses both
        assertThatThrownBy(() -> Json.parse("\"\\u-001\"")).hasMessageContaining("four hex digits");
        assertThatThrownBy(() -> Json.parse("\"\\u+fff\"")).hasMessageContaining("four hex digits");
        assertThatThrownBy(() -> Json.parse("\"\\u\uff10\uff10\uff14\uff11\"")).hasMessageContaining("four hex digits");
        // BigDecimal holds no exponent beyond an int: said where, not "Exponent overflow."
        assertThatThrownBy(() -> Json.parse("[1e99999999999]")).hasMessage("invalid JSON at character 1: a number whose exponent is out of range");
        // a message quoting a control character stays one line
        assertThatThrownBy(() -> Json.parse("\"\\\r\"")).hasMessage("invalid JSON at character 2: unknown escape '\\\\r'");
    }
}
