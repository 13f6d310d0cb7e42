package dev.ingot.engine.plugin;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.function.Supplier;

/**
 * A plugin's tokenizer whose calls run with the plugin's class loader as context loader and whose
 * failures become {@link PluginFailureException}s naming the plugin. Tokenizer calls are per request
 * and per token, so this is a thin wrapper: no checked exceptions, no copies.
 */
final class GuardedTokenizer implements Tokenizer {

    private final Tokenizer tokenizer;
    private final String label;
    private final ClassLoader loader;

    GuardedTokenizer(Tokenizer tokenizer, String label, ClassLoader loader) {
        this.tokenizer = tokenizer;
        this.label = label;
        this.loader = loader;
    }

    private <T> T call(String what, Supplier<T> code) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            T result = code.get();
            if (result == null) {
                throw new PluginFailureException(label + "'s tokenizer returned null from " + what, null);
            }
            return result;
        } catch (PluginFailureException e) {
            throw e;
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            throw new PluginFailureException(label + "'s tokenizer failed in " + what + ": " + Failures.describe(e), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public int vocabSize() {
        return call("vocabSize", tokenizer::vocabSize);
    }

    @Override
    public int bosId() {
        return call("bosId", tokenizer::bosId);
    }

    @Override
    public boolean addsBos() {
        return call("addsBos", tokenizer::addsBos);
    }

    @Override
    public boolean addsEos() {
        return call("addsEos", tokenizer::addsEos);
    }

    @Override
    public int eosId() {
        return call("eosId", tokenizer::eosId);
    }

    @Override
    public int[] encode(String text) {
        return call("encode", () -> tokenizer.encode(text));
    }

    @Override
    public byte[] decode(int previousToken, int token) {
        return call("decode", () -> tokenizer.decode(previousToken, token));
    }

    /** The plugin's own sequence decoding, which may know more than token-by-token decoding (a mid-text BOS). */
    @Override
    public String decode(int previousToken, int[] tokens) {
        return call("decode", () -> tokenizer.decode(previousToken, tokens));
    }

    @Override
    public String piece(int token) {
        return call("piece", () -> tokenizer.piece(token));
    }
}
