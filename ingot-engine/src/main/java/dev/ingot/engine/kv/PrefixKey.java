package dev.ingot.engine.kv;

import java.util.Arrays;

/**
 * Names one full block of a prompt for the prefix cache: its tokens, the key of the block before it
 * (so equal keys mean equal whole prefixes, as vLLM's hash chain of blocks) and the weights that
 * computed it ({@code version} plus {@code generation}, a serial the scheduler gives each weight
 * generation, so even a forced re-push of the same version never finds the old blocks). Equality
 * compares the whole chain, not just the hash: a hash collision can never serve another prompt's KV.
 */
public final class PrefixKey {

    private final long version;
    private final long generation;
    private final PrefixKey parent;
    private final int[] tokens;
    private final int hash;

    private PrefixKey(long version, long generation, PrefixKey parent, int[] tokens) {
        this.version = version;
        this.generation = generation;
        this.parent = parent;
        this.tokens = tokens;
        int h = Long.hashCode(version) * 31 + Long.hashCode(generation);
        h = h * 31 + (parent == null ? 0 : parent.hash);
        this.hash = h * 31 + Arrays.hashCode(tokens);
    }

    /** The first block of a prompt. */
    public static PrefixKey first(long version, long generation, int[] tokens) {
        return new PrefixKey(version, generation, null, tokens.clone());
    }

    /** The block after this one. */
    public PrefixKey next(int[] tokens) {
        return new PrefixKey(version, generation, this, tokens.clone());
    }

    public long version() {
        return version;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Walks both chains side by side (a loop, not recursion: long prompts make long chains). */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PrefixKey other)) {
            return false;
        }
        PrefixKey a = this;
        PrefixKey b = other;
        while (a != b) {
            if (a == null || b == null || a.hash != b.hash || a.version != b.version || a.generation != b.generation
                    || !Arrays.equals(a.tokens, b.tokens)) {
                return false;
            }
            a = a.parent;
            b = b.parent;
        }
        return true;
    }

    @Override
    public String toString() {
        return "PrefixKey[v" + version + "/" + generation + ", " + tokens.length + " tokens, hash " + hash + "]";
    }
}
