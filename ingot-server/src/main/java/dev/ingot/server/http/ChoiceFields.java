package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.SequenceResult;

/** The fields every choice carries the same way on both endpoints, whole or streamed. */
final class ChoiceFields {

    private ChoiceFields() {}

    static ObjectNode choice(int index) {
        ObjectNode choice = Json.object();
        choice.put("index", index);
        return choice;
    }

    static void putIds(ObjectNode node, String field, int[] ids) {
        ArrayNode array = node.putArray(field);
        for (int id : ids) {
            array.add(id);
        }
    }

    /** A whole choice's end: finish reason, weight version(s), and the token ids when asked for. */
    static void finished(ObjectNode choice, int[] prompt, SequenceResult result, boolean tokenIds) {
        choice.put("finish_reason", result.finishReason().apiName());
        WeightVersions.put(choice, result.weightVersions());
        if (tokenIds) {
            putIds(choice, "prompt_token_ids", prompt);
            putIds(choice, "token_ids", result.tokenIds());
        }
    }

    /** A streamed choice's opening: not finished, no log-probabilities yet, the prompt ids when asked for. */
    static void streamedOpening(ObjectNode choice, int[] prompt, boolean tokenIds) {
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        if (tokenIds) {
            putIds(choice, "prompt_token_ids", prompt);
        }
    }

    /** A streamed token's chunk: not finished, the version that computed it, its id when asked for. */
    static void streamedToken(ObjectNode choice, GenerationEvent.Token token, boolean tokenIds) {
        choice.putNull("finish_reason");
        choice.put("weight_version", token.weightVersion());
        if (tokenIds) {
            choice.putArray("token_ids").add(token.token().token());
        }
    }

    /** The streamed chunk that ends a choice. */
    static void streamedEnd(ObjectNode choice, GenerationEvent.Finished finished) {
        choice.putNull("logprobs");
        choice.put("finish_reason", finished.result().finishReason().apiName());
        WeightVersions.put(choice, finished.result().weightVersions());
    }
}
