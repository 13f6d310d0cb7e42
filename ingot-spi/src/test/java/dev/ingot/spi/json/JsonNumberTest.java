package dev.ingot.spi.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.json.JsonValue.JsonNumber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class JsonNumberTest {

    @Test
    void integersAreIntegralHoweverTheyAreSpelled() {
        assertThat(new JsonNumber("7").isIntegral()).isTrue();
        assertThat(new JsonNumber("-7").isIntegral()).isTrue();
        assertThat(new JsonNumber("7.000").isIntegral()).isTrue();
        assertThat(new JsonNumber("7e3").isIntegral()).isTrue();
        assertThat(new JsonNumber("75e-1").isIntegral()).isFalse();
        assertThat(new JsonNumber("0.5").isIntegral()).isFalse();
        assertThat(new JsonNumber("0e-999").isIntegral()).isTrue();
    }

    /**
     * Before, this expanded the literal to a 100-million-digit integer (minutes of CPU per value); the timeout is a
     * hang bound far above what deciding from the exponent takes, not a speed measurement.
     */
    @Test
    @Timeout(30)
    void hugeExponentsAreDecidedWithoutExpandingTheNumber() {
        assertThat(new JsonNumber("1e100000042").isIntegral()).isTrue();
        assertThat(new JsonNumber("1e-100000042").isIntegral()).isFalse();
        assertThat(new JsonNumber("1.5e100000042").isIntegral()).isTrue();
    }
}
