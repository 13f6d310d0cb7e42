package dev.ingot.engine.generate;

/** Why a completion ended; names as the OpenAI API spells them, plus our swap policy's. */
public enum FinishReason {
    /** An end-of-sequence token or a stop string. */
    STOP("stop"),
    /** The token limit or the model's context. */
    LENGTH("length"),
    /** A weight swap with the {@code abort} policy ended it. */
    WEIGHTS_UPDATED("weights_updated"),
    /** The client went away or the server shut down. */
    CANCELLED("cancelled");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
