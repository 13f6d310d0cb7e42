package dev.ingot.server.http;

import dev.ingot.engine.generate.Generator;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.schedule.GenerationRequest;
import dev.ingot.engine.schedule.RequestHandle;
import dev.ingot.engine.schedule.Scheduler;
import dev.ingot.server.http.metrics.ServerMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/** A loaded model behind the HTTP API: its scheduler, chat template and the name clients call it by. */
final class ServedModel {

    private final String name;
    private final LoadedModel loaded;
    private final Scheduler scheduler;
    private final ChatTemplate chatTemplate;
    private final Generator encoder;
    private final ServerMetrics metrics;

    ServedModel(String name, LoadedModel loaded, Scheduler scheduler, ChatTemplate chatTemplate, ServerMetrics metrics) {
        this.name = name;
        this.loaded = loaded;
        this.scheduler = scheduler;
        this.chatTemplate = chatTemplate;
        this.encoder = new Generator(loaded);
        this.metrics = metrics;
    }

    String name() {
        return name;
    }

    LoadedModel loaded() {
        return loaded;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    int context() {
        return loaded.spec().maxPositions();
    }

    /** Text as a completion prompt: BOS (when the model has one) and the encoded text. */
    int[] encodePrompt(String text) {
        return clientText("prompt", () -> encoder.encodePrompt(text));
    }

    /** Text encoded as it is, without BOS. */
    int[] encodeText(String text) {
        return clientText("prompt", () -> loaded.tokenizer().encode(text));
    }

    /**
     * Runs an encoding of text the client sent. A tokenizer that cannot represent some of it says so with an
     * IllegalArgumentException (the Tokenizer contract for unencodable input): that is the request's fault, a
     * 400 naming the field, not a server error.
     */
    static int[] clientText(String param, Supplier<int[]> encoding) {
        try {
            return encoding.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(param, "The model's tokenizer cannot encode the '" + param + "' text: " + e.getMessage());
        }
    }

    /**
     * Submits every request with its choices numbered after the previous ones'; all or nothing: if one
     * is refused, those already queued are cancelled.
     */
    List<RequestHandle> submitAll(List<GenerationRequest> requests, ChoiceEvents events) {
        List<RequestHandle> handles = new ArrayList<>();
        int base = 0;
        try {
            for (GenerationRequest request : requests) {
                handles.add(scheduler.submit(request, events.listener(base, request.n())));
                base += request.n();
            }
        } catch (IllegalArgumentException e) {
            handles.forEach(RequestHandle::cancel);
            String where = requests.size() > 1 ? "prompt " + handles.size() + ": " : "";
            throw ApiException.badRequest("prompt", where + e.getMessage());
        } catch (RejectedExecutionException e) {
            handles.forEach(RequestHandle::cancel);
            throw ApiException.unavailable(e.getMessage());
        }
        requests.forEach(r -> metrics.promptTokens(r.prompt().length));
        return handles;
    }

    /** Lets running requests finish for up to {@code grace}, cancels the rest, then frees the model. */
    void shutdown(Duration grace) throws InterruptedException {
        try {
            scheduler.shutdown(grace);
        } finally {
            loaded.close();
        }
    }
}
