package dev.ingot.engine.schedule;

/** The rows one sequence or prompt chunk contributes to a step. */
sealed interface Work {

    WeightPin pin();

    /** One row: a running sequence's last token. */
    record Decode(Sequence sequence) implements Work {
        public WeightPin pin() {
            return sequence.weights;
        }
    }

    /** {@code count} consecutive prompt tokens from {@code from}. */
    record PromptChunk(Prefill prefill, int from, int count) implements Work {
        public WeightPin pin() {
            return prefill.weights;
        }

        boolean completesPrompt() {
            return from + count == prefill.submission.request().promptLength();
        }

        /** Rows of logits the chunk gets: all of a scored prompt's, else the prompt's last row or none. */
        int logitRows() {
            return prefill.submission.request().scorePrompt() ? count : completesPrompt() ? 1 : 0;
        }
    }
}
