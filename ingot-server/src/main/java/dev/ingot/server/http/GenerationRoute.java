package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ingot.engine.schedule.GenerationEvent;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.engine.schedule.RequestHandle;
import dev.ingot.engine.schedule.SequenceResult;
import dev.ingot.server.http.metrics.ServerMetrics;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What both generation endpoints do once they have parsed their request: submit one scheduler request
 * per prompt, then either wait and answer with one JSON document or stream server-sent events as the
 * tokens come. A client that disconnects, mid-stream or while a whole answer is generating, has its
 * requests cancelled.
 */
final class GenerationRoute {

    private final ServedModel model;
    private final ServerMetrics metrics;
    private int returned;

    GenerationRoute(ServedModel model, ServerMetrics metrics) {
        this.model = model;
        this.metrics = metrics;
    }

    /**
     * @param n choices returned per prompt; when the requests generate more ({@code best_of}), the {@code n}
     *          with the highest cumulative log-probability are returned, likeliest first (never streamed)
     */
    void serve(Context ctx, List<GenerationRequest> requests, int n, boolean stream, boolean includeUsage, ResponseFormat format)
            throws InterruptedException {
        this.returned = n;
        int generated = requests.getFirst().n();
        if (stream && generated != n) {
            throw new IllegalArgumentException("best_of > n cannot stream");
        }
        ChoiceEvents events = new ChoiceEvents(requests.size() * generated, metrics);
        List<RequestHandle> handles = model.submitAll(requests, events);
        String id = format.idPrefix() + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        try {
            if (stream) {
                stream(ctx, requests, includeUsage, format, events, id, created);
            } else {
                answerWhole(ctx, requests, format, events, handles, id, created);
            }
        } catch (SseWriter.ClientGone | InterruptedException e) {
            handles.forEach(RequestHandle::cancel);
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
        } catch (RuntimeException e) {
            handles.forEach(RequestHandle::cancel);
            throw e;
        }
    }

    /**
     * Waits for every choice, then answers with one document. Nothing is written meanwhile, so a
     * {@link HangupWatch} cancels the requests if the client goes away while they generate.
     */
    private void answerWhole(Context ctx, List<GenerationRequest> requests, ResponseFormat format, ChoiceEvents events,
            List<RequestHandle> handles, String id, long created) throws InterruptedException {
        Optional<HangupWatch> watch = HangupWatch.start(ctx, () -> handles.forEach(RequestHandle::cancel));
        List<SequenceResult> results;
        try {
            results = events.awaitAll();
        } finally {
            watch.ifPresent(HangupWatch::close);
        }
        if (watch.map(HangupWatch::tookBytes).orElse(false)) {
            ctx.header("Connection", "close");
        }
        writeNow(ctx, Json.write(complete(requests, format, results, id, created)));
    }

    /**
     * Sends the answer before the handler returns (rather than leaving it for Javalin to write after),
     * so a graceful shutdown that waits for the handlers knows the bytes are out.
     */
    private static void writeNow(Context ctx, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ctx.status(200);
        ctx.res().setContentType("application/json");
        ctx.res().setContentLength(bytes.length);
        try (OutputStream out = ctx.res().getOutputStream()) {
            out.write(bytes);
        } catch (IOException e) {
            throw new SseWriter.ClientGone(e);
        }
    }

    private ObjectNode complete(List<GenerationRequest> requests, ResponseFormat format, List<SequenceResult> results,
            String id, long created) {
        ObjectNode response = envelope(id, format.object(), created);
        ArrayNode choices = response.putArray("choices");
        results = best(results, requests.getFirst().n(), returned);
        for (int i = 0; i < results.size(); i++) {
            choices.add(format.choice(i, requests.get(i / returned).prompt(), results.get(i)));
        }
        format.decorate(response, results);
        response.set("usage", usage(requests, results.stream().mapToInt(r -> r.tokens().size()).sum()));
        WeightVersions.put(response, WeightVersions.union(results.stream().map(SequenceResult::weightVersions).toList()));
        return response;
    }

    /**
     * vLLM's {@code best_of}: of each prompt's {@code generated} results, the {@code keep} with the highest
     * sum of token log-probabilities, likeliest first (ties keep generation order).
     */
    static List<SequenceResult> best(List<SequenceResult> results, int generated, int keep) {
        if (generated == keep) {
            return results;
        }
        List<SequenceResult> out = new ArrayList<>();
        for (int from = 0; from < results.size(); from += generated) {
            results.subList(from, from + generated).stream()
                    .sorted(java.util.Comparator.comparingDouble(GenerationRoute::cumulativeLogprob).reversed())
                    .limit(keep)
                    .forEach(out::add);
        }
        return out;
    }

    static double cumulativeLogprob(SequenceResult result) {
        double sum = 0;
        for (var token : result.tokens()) {
            sum += token.logprob();
        }
        return sum;
    }

    private void stream(Context ctx, List<GenerationRequest> requests, boolean includeUsage, ResponseFormat format,
            ChoiceEvents events, String id, long created) throws InterruptedException {
        SseWriter sse = new SseWriter(ctx);
        int n = requests.getFirst().n();
        // A choice whose prompt is scored opens when the scores come (they travel in its opening chunk).
        boolean[] awaitingScores = new boolean[events.total()];
        for (int i = 0; i < events.total(); i++) {
            awaitingScores[i] = requests.get(i / n).scorePrompt();
            if (!awaitingScores[i]) {
                format.openingChoice(i, requests.get(i / n).prompt()).ifPresent(choice -> sse.send(chunk(id, format, created, choice)));
            }
        }
        int ended = 0;
        int completionTokens = 0;
        List<List<Long>> versions = new ArrayList<>();
        while (ended < events.total()) {
            ChoiceEvents.Indexed next = events.take();
            int index = next.index();
            switch (next.event()) {
                case GenerationEvent.PromptScored p -> {
                    awaitingScores[index] = false;
                    format.scoredOpeningChoice(index, requests.get(index / n).prompt(), p.scores())
                            .ifPresent(choice -> sse.send(chunk(id, format, created, choice)));
                }
                case GenerationEvent.Token t -> {
                    completionTokens++;
                    sse.send(chunk(id, format, created, format.tokenChoice(next.index(), t)));
                }
                case GenerationEvent.Finished f -> {
                    ended++;
                    if (awaitingScores[index]) { // ended (cancelled, aborted) before its prompt was in
                        awaitingScores[index] = false;
                        format.scoredOpeningChoice(index, requests.get(index / n).prompt(), f.result().promptScores())
                                .ifPresent(choice -> sse.send(chunk(id, format, created, choice)));
                    }
                    versions.add(f.result().weightVersions());
                    sse.send(chunk(id, format, created, format.closingChoice(next.index(), f)));
                }
                case GenerationEvent.Failed f -> {
                    ended++;
                    sse.send(new ApiException(500, "server_error", null, null, f.message()).toJson());
                }
            }
        }
        if (includeUsage) {
            ObjectNode last = envelope(id, format.chunkObject(), created);
            last.putArray("choices");
            last.set("usage", usage(requests, completionTokens));
            WeightVersions.put(last, WeightVersions.union(versions));
            sse.send(last);
        }
        sse.done();
    }

    private ObjectNode chunk(String id, ResponseFormat format, long created, ObjectNode choice) {
        ObjectNode chunk = envelope(id, format.chunkObject(), created);
        chunk.putArray("choices").add(choice);
        return chunk;
    }

    private ObjectNode envelope(String id, String object, long created) {
        ObjectNode node = Json.object();
        node.put("id", id);
        node.put("object", object);
        node.put("created", created);
        node.put("model", model.name());
        return node;
    }

    /** Each prompt counts once, however many choices share it. */
    private static ObjectNode usage(List<GenerationRequest> requests, int completionTokens) {
        int promptTokens = requests.stream().mapToInt(r -> r.prompt().length).sum();
        ObjectNode usage = Json.object();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        return usage;
    }
}
