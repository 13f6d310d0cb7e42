package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.spi.tokenizer.Tokenizer;
import io.javalin.http.Context;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * vLLM's {@code POST /tokenize} and {@code POST /detokenize}: the served model's tokenizer over HTTP, so
 * a client counts and inspects tokens exactly as the generation endpoints see them.
 *
 * <p>{@code /tokenize} takes a {@code prompt} (BOS added as for a completion unless
 * {@code add_special_tokens} is false) or chat {@code messages} (through the chat template, with
 * {@code add_generation_prompt}, {@code continue_final_message}, {@code chat_template} and
 * {@code chat_template_kwargs} as in a chat request), and answers {@code {"count", "max_model_len",
 * "tokens"}} plus {@code token_strs} when {@code return_token_strs} is true. {@code /detokenize}
 * takes {@code tokens} and answers {@code {"prompt"}}. Unknown fields are refused, as everywhere.
 */
final class TokenizerEndpoints {

    private static final Set<String> TOKENIZE_PROMPT = Set.of("model", "prompt", "add_special_tokens", "return_token_strs");
    private static final Set<String> TOKENIZE_CHAT = Set.of("model", "messages", "add_special_tokens", "return_token_strs",
            "add_generation_prompt", "continue_final_message", "chat_template", "chat_template_kwargs");
    private static final Set<String> DETOKENIZE = Set.of("model", "tokens");

    private TokenizerEndpoints() {}

    static void tokenize(Context ctx, ServedModel model, Params params) {
        boolean chat = params.get("messages").isPresent();
        if (chat && params.get("prompt").isPresent()) {
            throw ApiException.badRequest("prompt", "give 'prompt' or 'messages', not both");
        }
        onlyFields(params, chat ? TOKENIZE_CHAT : TOKENIZE_PROMPT, "/tokenize");
        Tokenizer tokenizer = model.loaded().tokenizer();
        int[] ids;
        if (chat) {
            ids = ChatCompletionsEndpoint.prompt(params, model);
            if (params.bool("add_special_tokens").orElse(false)) {
                ids = withBos(model, ids);
            }
        } else {
            String prompt = params.string("prompt").orElseThrow(() -> ApiException.badRequest("prompt", "'prompt' or 'messages' is required"));
            ids = params.bool("add_special_tokens").orElse(true) ? model.encodePrompt(prompt) : model.encodeText(prompt);
        }
        ObjectNode body = Json.object();
        body.put("count", ids.length);
        body.put("max_model_len", model.context());
        ArrayNode tokens = body.putArray("tokens");
        for (int id : ids) {
            tokens.add(id);
        }
        if (params.bool("return_token_strs").orElse(false)) {
            ArrayNode strs = body.putArray("token_strs");
            for (int id : ids) {
                strs.add(tokenizer.piece(id));
            }
        }
        ctx.contentType("application/json").result(Json.write(body));
    }

    static void detokenize(Context ctx, ServedModel model, Params params) {
        onlyFields(params, DETOKENIZE, "/detokenize");
        JsonNode list = params.get("tokens").orElseThrow(() -> ApiException.badRequest("tokens", "'tokens' is required"));
        int vocab = model.loaded().spec().vocabSize();
        if (!list.isArray()) {
            throw ApiException.badRequest("tokens", "'tokens' must be a list of token ids");
        }
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = list.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() >= vocab) {
                throw ApiException.badRequest("tokens", "tokens[" + i + "] must be a token id between 0 and " + (vocab - 1) + ", got " + id);
            }
            ids[i] = id.asInt();
        }
        ObjectNode body = Json.object();
        body.put("prompt", model.loaded().tokenizer().decode(-1, ids));
        ctx.contentType("application/json").result(Json.write(body));
    }

    private static int[] withBos(ServedModel model, int[] ids) {
        int bos = model.loaded().tokenizer().bosId();
        if (bos < 0 || (ids.length > 0 && ids[0] == bos)) {
            return ids;
        }
        int[] out = new int[ids.length + 1];
        out[0] = bos;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }

    private static void onlyFields(Params params, Set<String> known, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = params.body().fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            if (!known.contains(name)) {
                throw ApiException.badRequest(name, "Unknown field '" + name + "' for " + path + ": it takes " + List.copyOf(
                        new java.util.TreeSet<>(known)));
            }
        }
    }
}
