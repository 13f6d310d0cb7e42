package dev.ingot.engine.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.testing.ByteTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncrementalTextTest {

    private final ByteTokenizer tokenizer = new ByteTokenizer(false);

    private List<String> feed(IncrementalText text, String chars) {
        List<String> out = new ArrayList<>();
        for (int id : tokenizer.encode(chars)) {
            out.add(text.add(id));
        }
        return out;
    }

    @Test
    void textThatCouldStartAStopStringIsHeldUntilItCannot() {
        IncrementalText text = new IncrementalText(tokenizer, -1, List.of("abc"));
        assertThat(feed(text, "xabd")).containsExactly("x", "", "", "abd");
        assertThat(text.stopped()).isFalse();
        assertThat(text.text()).isEqualTo("xabd");
    }

    @Test
    void aMatchEndsTheTextBeforeTheStopString() {
        IncrementalText text = new IncrementalText(tokenizer, -1, List.of("END", "e!"));
        assertThat(feed(text, "hi e")).containsExactly("h", "i", " ", "");
        assertThat(text.add(tokenizer.encode("!")[0])).isEmpty();
        assertThat(text.stopped()).isTrue();
        assertThat(text.text()).isEqualTo("hi ");
        assertThat(text.flush()).isEmpty();
    }

    @Test
    void heldTextIsReleasedWhenTheCompletionEndsOtherwise() {
        IncrementalText text = new IncrementalText(tokenizer, -1, List.of("STOP"));
        assertThat(feed(text, "go ST")).containsExactly("g", "o", " ", "", "");
        assertThat(text.flush()).isEqualTo("ST");
        assertThat(text.text()).isEqualTo("go ST");
    }

    @Test
    void withoutStopStringsEverythingIsReleasedAtOnce() {
        IncrementalText text = new IncrementalText(tokenizer, -1, List.of());
        assertThat(feed(text, "abc")).containsExactly("a", "b", "c");
    }
}
