package dev.ingot.engine.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.spi.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

/** A plugin tokenizer's failures name the plugin; its calls see the plugin's class loader. */
class GuardedTokenizerTest {

    /** Encodes by failing; decodes by reporting the context class loader it runs under. */
    private static final class Faulty implements Tokenizer {
        ClassLoader seen;

        @Override public int vocabSize() { return 3; }
        @Override public int bosId() { return -1; }
        @Override public int eosId() { return -1; }
        @Override public int[] encode(String text) { throw new IllegalStateException("table not loaded"); }
        @Override public byte[] decode(int previousToken, int token) {
            seen = Thread.currentThread().getContextClassLoader();
            return new byte[0];
        }
        @Override public String piece(int token) { return null; }
    }

    private final ClassLoader pluginLoader = new ClassLoader("plugin:test", getClass().getClassLoader()) {};

    @Test
    void aThrowingEncodeIsThePluginsFailure() {
        Tokenizer guarded = new GuardedTokenizer(new Faulty(), "plugin 'acme' (/p/acme.jar)", pluginLoader);
        assertThatThrownBy(() -> guarded.encode("hi")).isInstanceOf(PluginFailureException.class)
                .hasMessage("plugin 'acme' (/p/acme.jar)'s tokenizer failed in encode: java.lang.IllegalStateException: table not loaded");
    }

    @Test
    void aNullIsRefusedAndCallsRunUnderThePluginsLoader() {
        Faulty faulty = new Faulty();
        Tokenizer guarded = new GuardedTokenizer(faulty, "plugin 'acme'", pluginLoader);
        assertThatThrownBy(() -> guarded.piece(1)).isInstanceOf(PluginFailureException.class)
                .hasMessage("plugin 'acme''s tokenizer returned null from piece");
        guarded.decode(-1, 1);
        assertThat(faulty.seen).isSameAs(pluginLoader);
        assertThat(Thread.currentThread().getContextClassLoader()).isNotSameAs(pluginLoader);
    }
}
