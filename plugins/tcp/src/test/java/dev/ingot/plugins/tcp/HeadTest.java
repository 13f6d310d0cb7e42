package dev.ingot.plugins.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Head lines the fuzz target found wrong answers to (docs/limits.md, "Fuzzing"), each beside its saved input. */
class HeadTest {

    @Test
    void aRefusalQuotingALineBreakIsOneLine() {
        // the op is "ab\ncd" once the JSON escape is read
        assertThatThrownBy(() -> Head.parse("{\"op\":\"ab\\ncd\"}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("unknown op \"ab\\ncd\" (begin, bucket, commit, abort)");
    }

    @Test
    void anIntegerIsDigitsNotAnExponentThatTakesSecondsToExpand() throws ProtocolException {
        // was: 10 s of CPU in BigDecimal.toBigIntegerExact (1e100000042 is integral, with 100000043 digits)
        assertThatThrownBy(() -> Head.parse("{\"op\":\"begin\",\"token\":\"t\",\"version\":1e100000042}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("\"version\" must be an integer (digits, no fraction or exponent)");
        assertThatThrownBy(() -> Head.parse("{\"op\":\"bucket\",\"tensors\":[{\"name\":\"a\",\"dtype\":\"F32\",\"shape\":[1e2],\"bytes\":400}]}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("tensor 'a': shape[0] is not a dimension (a non-negative integer)");
        assertThat(Head.parse("{\"op\":\"begin\",\"token\":\"t\",\"version\":-7}")).isInstanceOfSatisfying(Head.Begin.class,
                begin -> assertThat(begin.request().version()).isEqualTo(-7));
    }
}
