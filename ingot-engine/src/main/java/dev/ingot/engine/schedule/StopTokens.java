package dev.ingot.engine.schedule;

import java.util.HashSet;
import java.util.Set;

/** Which tokens end a completion: the model's and tokenizer's EOS (unless a request ignores them) and a request's own stop token ids. */
final class StopTokens {

    private static final int[] NONE = new int[0];

    private final Set<Integer> eos;

    StopTokens(Set<Integer> eos) {
        this.eos = Set.copyOf(eos);
    }

    /** Whether {@code token} ends a completion of {@code request}. */
    boolean ends(GenerationRequest request, int token) {
        GenerationRequest.Ending ending = request.ending();
        return (!ending.ignoreEos() && eos.contains(token)) || ending.stopTokenIds().contains(token);
    }

    /** The tokens a choice may not sample yet: every stop token while it has fewer than {@code min_tokens}. */
    int[] banned(GenerationRequest request, int produced) {
        GenerationRequest.Ending ending = request.ending();
        if (produced >= ending.minTokens()) {
            return NONE;
        }
        Set<Integer> out = new HashSet<>(ending.stopTokenIds());
        if (!ending.ignoreEos()) {
            out.addAll(eos);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
