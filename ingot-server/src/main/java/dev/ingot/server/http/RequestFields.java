package dev.ingot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which request fields each generation endpoint honours. Every field of vLLM's OpenAI-compatible
 * {@code CompletionRequest} / {@code ChatCompletionRequest} is either implemented or refused with a 400
 * naming it — unless it carries its no-op value (null, or e.g. {@code use_beam_search: false}), which
 * asks for nothing. A field neither endpoint knows is refused too: vLLM may accept and ignore extra
 * fields, but an RL client that misspells {@code presence_penalty} must learn it did, not train on
 * rollouts sampled with other settings. {@code docs/openai-api.md} lists every field and its status.
 */
final class RequestFields {

    enum Endpoint {
        COMPLETIONS("/v1/completions"), CHAT("/v1/chat/completions");

        final String path;

        Endpoint(String path) {
            this.path = path;
        }
    }

    /** A field not (yet) implemented: accepted only with a value that asks for nothing. */
    private record Refused(Predicate<JsonNode> noOp, String reason) {}

    /** Fields both endpoints implement. */
    private static final Set<String> SHARED = Set.of("model", "max_tokens", "n", "seed", "stop", "stream", "stream_options",
            "temperature", "top_p", "top_k", "return_token_ids", "best_of", "frequency_penalty", "presence_penalty",
            "repetition_penalty", "logit_bias", "min_p", "stop_token_ids", "include_stop_str_in_output", "ignore_eos",
            "min_tokens", "skip_special_tokens", "prompt_logprobs", "response_format",
            // Identifies the end user to the operator; it asks nothing of the model.
            "user");

    private static final Set<String> COMPLETIONS = union(SHARED, Set.of("prompt", "echo", "logprobs"));

    private static final Set<String> CHAT = union(SHARED, Set.of("messages", "logprobs", "top_logprobs",
            "max_completion_tokens", "chat_template_kwargs", "add_generation_prompt", "continue_final_message", "chat_template"));

    private static final Map<String, Refused> REFUSED = Map.ofEntries(
            refused("add_generation_prompt", "'add_generation_prompt' belongs to /v1/chat/completions"),
            refused("continue_final_message", "'continue_final_message' belongs to /v1/chat/completions"),
            refused("chat_template", "'chat_template' belongs to /v1/chat/completions"),
            refused("max_completion_tokens", "'max_completion_tokens' belongs to /v1/chat/completions; use 'max_tokens'"),
            refused("suffix", "'suffix' is not supported: the served models have no fill-in-the-middle"),
            refused("prompt_embeds", "'prompt_embeds' is not supported: prompts are text or token ids"),
            refused("use_beam_search", is(false), "'use_beam_search' is not supported: beam search is not implemented"),
            refused("length_penalty", one(), "'length_penalty' is not supported: it applies to beam search, which is not implemented"),
            refused("spaces_between_special_tokens", is(true), "'spaces_between_special_tokens' is not supported yet"),
            refused("truncate_prompt_tokens", "'truncate_prompt_tokens' is not supported yet"),
            refused("allowed_token_ids", "'allowed_token_ids' is not supported yet"),
            refused("bad_words", emptyArray(), "'bad_words' is not supported yet"),
            refused("add_special_tokens", "'add_special_tokens' is not supported yet"),
            refused("guided_json", "'guided_json' is not supported yet"),
            refused("guided_regex", "'guided_regex' is not supported yet"),
            refused("guided_choice", "'guided_choice' is not supported yet"),
            refused("guided_grammar", "'guided_grammar' is not supported yet"),
            refused("guided_decoding_backend", "'guided_decoding_backend' is not supported: there is no guided decoding yet"),
            refused("guided_whitespace_pattern", "'guided_whitespace_pattern' is not supported: there is no guided decoding yet"),
            refused("structural_tag", "'structural_tag' is not supported yet"),
            refused("structured_outputs", "'structured_outputs' is not supported yet"),
            refused("priority", zero(), "'priority' is not supported: requests are served in arrival order"),
            refused("request_id", "'request_id' is not supported yet"),
            refused("logits_processors", "'logits_processors' is not supported: the server loads no request-named code"),
            refused("return_tokens_as_token_ids", is(false), "'return_tokens_as_token_ids' is not supported yet; "
                    + "'return_token_ids' gives the ids"),
            refused("cache_salt", "'cache_salt' is not supported: there is no prefix cache to salt"),
            refused("kv_transfer_params", "'kv_transfer_params' is not supported: there is no disaggregated serving"),
            refused("vllm_xargs", emptyObject(), "'vllm_xargs' is not supported: there are no custom extensions"),
            refused("tools", emptyArray(), "'tools' is not supported yet"),
            refused("tool_choice", is("none"), "'tool_choice' is not supported yet: tools are not"),
            refused("functions", emptyArray(), "'functions' is not supported yet"),
            refused("function_call", is("none"), "'function_call' is not supported yet"),
            // Only meaningful with tools, which are refused above.
            refused("parallel_tool_calls", node -> node.isBoolean(), "'parallel_tool_calls' must be true or false"),
            refused("reasoning_effort", "'reasoning_effort' is not supported yet"),
            refused("include_reasoning", is(true), "'include_reasoning' is not supported yet: there is no reasoning parser"),
            refused("documents", "'documents' is not supported yet"),
            refused("mm_processor_kwargs", "'mm_processor_kwargs' is not supported: the served models read text only"),
            refused("echo", is(false), "'echo' on /v1/chat/completions is not supported yet"),
            refused("top_logprobs", "'top_logprobs' belongs to /v1/chat/completions; /v1/completions takes 'logprobs': k"));

    private RequestFields() {}

    /** Refuses the first field of {@code body} that this endpoint does not honour. */
    static void check(ObjectNode body, Endpoint endpoint) {
        Set<String> implemented = endpoint == Endpoint.CHAT ? CHAT : COMPLETIONS;
        List<String> unknown = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (implemented.contains(name)) {
                continue;
            }
            Refused refused = REFUSED.get(name);
            if (refused == null) {
                unknown.add(name);
            } else if (!field.getValue().isNull() && !refused.noOp().test(field.getValue())) {
                throw ApiException.badRequest(name, refused.reason());
            }
        }
        if (!unknown.isEmpty()) {
            String names = String.join("', '", unknown);
            throw ApiException.badRequest(unknown.getFirst(), (unknown.size() == 1 ? "Unknown field '" : "Unknown fields '")
                    + names + "' for " + endpoint.path + ": unknown fields are refused rather than ignored");
        }
    }

    /** Every field name either endpoint knows, implemented or refused (the docs list them all). */
    static Set<String> known() {
        Set<String> out = new java.util.TreeSet<>(COMPLETIONS);
        out.addAll(CHAT);
        out.addAll(REFUSED.keySet());
        return out;
    }

    /** Whether {@code endpoint} implements {@code field}. */
    static boolean implemented(String field, Endpoint endpoint) {
        return (endpoint == Endpoint.CHAT ? CHAT : COMPLETIONS).contains(field);
    }

    /** Whether {@code field} is a known field refused on {@code endpoint}. */
    static boolean refused(String field, Endpoint endpoint) {
        return !implemented(field, endpoint) && REFUSED.containsKey(field);
    }

    private static Map.Entry<String, Refused> refused(String name, String reason) {
        return Map.entry(name, new Refused(node -> false, reason));
    }

    private static Map.Entry<String, Refused> refused(String name, Predicate<JsonNode> noOp, String reason) {
        return Map.entry(name, new Refused(noOp, reason));
    }

    private static Predicate<JsonNode> zero() {
        return node -> node.isNumber() && node.asDouble() == 0;
    }

    private static Predicate<JsonNode> one() {
        return node -> node.isNumber() && node.asDouble() == 1;
    }

    private static Predicate<JsonNode> is(boolean value) {
        return node -> node.isBoolean() && node.asBoolean() == value;
    }

    private static Predicate<JsonNode> is(String value) {
        return node -> node.isTextual() && node.asText().equals(value);
    }

    private static Predicate<JsonNode> emptyArray() {
        return node -> node.isArray() && node.isEmpty();
    }

    private static Predicate<JsonNode> emptyObject() {
        return node -> node.isObject() && node.isEmpty();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }
}
