package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.sample.SampledToken;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.SequenceResult;
import java.util.List;
import java.util.Optional;

/**
 * How one endpoint spells its choices, whole or streamed. One instance serves one HTTP request
 * (streaming formats keep per-choice state such as text offsets).
 */
interface ResponseFormat {

    /** {@code "text_completion"}, {@code "chat.completion"}. */
    String object();

    String chunkObject();

    String idPrefix();

    /** A choice of a complete (non-streamed) response. */
    ObjectNode choice(int index, int[] prompt, SequenceResult result);

    /** A streamed choice sent before the first token (chat's role, an echoed prompt), if any. */
    Optional<ObjectNode> openingChoice(int index, int[] prompt);

    /**
     * The opening of a choice whose request scored its prompt, sent once the scores are in (before its
     * first token): an echoed prompt with its log-probabilities. By default the plain opening.
     */
    default Optional<ObjectNode> scoredOpeningChoice(int index, int[] prompt, List<SampledToken> promptScores) {
        return openingChoice(index, prompt);
    }

    /** Adds response-level fields once the choices are in (chat's {@code prompt_logprobs}); none by default. */
    default void decorate(ObjectNode response, List<SequenceResult> results) {}

    /** A streamed choice carrying one sampled token. */
    ObjectNode tokenChoice(int index, GenerationEvent.Token token);

    /** The streamed choice that ends a completion. */
    ObjectNode closingChoice(int index, GenerationEvent.Finished finished);
}
