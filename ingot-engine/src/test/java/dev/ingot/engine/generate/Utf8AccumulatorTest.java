package dev.ingot.engine.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8AccumulatorTest {

    @Test
    void holdsBackASplitCharacterUntilItIsComplete() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // three bytes: E2 82 AC
        Utf8Accumulator text = new Utf8Accumulator();
        assertThat(text.add(new byte[] {'a', euro[0]})).isEqualTo("a");
        assertThat(text.add(new byte[] {euro[1]})).isEmpty();
        assertThat(text.add(new byte[] {euro[2], 'b'})).isEqualTo("€b");
        assertThat(text.flush()).isEmpty();
    }

    @Test
    void fourByteCharactersAndFlushOfAnIncompleteTail() {
        byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
        Utf8Accumulator text = new Utf8Accumulator();
        assertThat(text.add(new byte[] {emoji[0], emoji[1], emoji[2]})).isEmpty();
        assertThat(text.add(new byte[] {emoji[3]})).isEqualTo("😀");
        assertThat(text.add(new byte[] {emoji[0]})).isEmpty();
        assertThat(text.flush()).isEqualTo("\uFFFD");
    }
}
