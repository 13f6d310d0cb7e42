package dev.ingot.engine.schedule;

import dev.ingot.engine.sample.SampledToken;
import java.util.List;

/** What the scheduler tells a request's listener, choice by choice. */
public sealed interface GenerationEvent {

    /** The completion this event belongs to, {@code 0 .. n-1}. */
    int choice();

    /**
     * A sampled token. {@code text} is the text it completes — possibly empty while a UTF-8
     * character or a possible stop string is still open — so the texts of a choice's events,
     * followed by its {@link Finished#pendingText()}, add up to the completion's text.
     */
    record Token(int choice, SampledToken token, String text, long weightVersion) implements GenerationEvent {}

    /**
     * The prompt's tokens 1.. with their log-probabilities (token 0 has no context), for a request that
     * asked to score its prompt: sent once per choice when the prompt is in the cache, before its first token.
     */
    record PromptScored(int choice, List<SampledToken> scores) implements GenerationEvent {
        public PromptScored {
            scores = List.copyOf(scores);
        }
    }

    /** The choice ended; {@code pendingText} is text held back until now (empty after a stop string). */
    record Finished(int choice, SequenceResult result, String pendingText) implements GenerationEvent {}

    /** The choice could not go on (the model failed); no further events follow for it. */
    record Failed(int choice, String message) implements GenerationEvent {}
}
