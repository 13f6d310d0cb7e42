package dev.ingot.engine.plugin;

import dev.ingot.engine.plugin.PluginGuard.PluginFault;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Asks every candidate how sure it is that a location is its own and picks the single best. A
 * candidate that throws is skipped with a warning; no match, or a tie at the top, is an error that
 * lists every candidate with its score and reason, so the user sees why and what to pass instead.
 * Candidates are asked at once, each on its own daemon thread, and one that has not answered by the
 * deadline is skipped with a warning too (its thread is interrupted and left to end on its own), so a
 * plugin whose {@code detect} hangs cannot stall the loading of a checkpoint it has nothing to do with.
 */
final class Detector<T> {

    @FunctionalInterface
    interface Detect<T> {
        Detection detect(T impl, Path location) throws IOException;
    }

    /** A candidate's answer: a detection, or the failure that made it skip. */
    record Scored<T>(Provided<T> provider, Detection detection, String failure) {
        boolean matches() {
            return detection != null && detection.matches();
        }

        String describe() {
            String who = provider.name() + " (plugin '" + provider.plugin().name() + "')";
            return detection == null ? who + " failed: " + failure
                    : who + " " + detection.tier().name().toLowerCase(java.util.Locale.ROOT)
                            + (detection.reason().isBlank() ? "" : " - " + detection.reason());
        }
    }

    private final String kind;
    private final String option;
    private final Detect<T> detect;
    private final Function<String, NameConflict> conflicts;
    private final Consumer<String> warnings;
    private final java.time.Duration deadline;

    /** Daemon threads for detection: a detect that never returns must not keep the JVM alive. */
    private static final java.util.concurrent.ExecutorService DETECTION = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ingot-detect");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param kind      {@code "format"} or {@code "tokenizer provider"}, for messages
     * @param option    what the user passes to choose instead, e.g. {@code "--format NAME"}; null when there is nothing
     * @param conflicts the unresolved conflict for a name, or null when the name is not contested
     */
    Detector(String kind, String option, Detect<T> detect, Function<String, NameConflict> conflicts, Consumer<String> warnings,
            java.time.Duration deadline) {
        this.deadline = deadline;
        this.kind = kind;
        this.option = option;
        this.detect = detect;
        this.conflicts = conflicts;
        this.warnings = warnings;
    }

    /** The single best match; an error listing the candidates when nothing matches or the top is shared. */
    Scored<T> best(List<Provided<T>> candidates, Path location) throws CheckpointException {
        List<Scored<T>> scored = scoreAll(candidates, location);
        return bestOf(scored, location).orElseThrow(
                () -> new CheckpointException("no " + kind + " recognises " + location + "; " + listing(scored)));
    }

    /** Like {@link #best}, but empty when nothing matches (a tie is still an error). */
    Optional<Scored<T>> find(List<Provided<T>> candidates, Path location) throws CheckpointException {
        return bestOf(scoreAll(candidates, location), location);
    }

    /** Every candidate's answer, asked concurrently; in candidate order, so warnings keep that order. */
    private List<Scored<T>> scoreAll(List<Provided<T>> candidates, Path location) {
        if (candidates.size() <= 1 && deadline.isZero()) {
            return candidates.stream().map(c -> score(c, location)).toList();
        }
        List<java.util.concurrent.Future<Scored<T>>> running = new ArrayList<>();
        for (Provided<T> candidate : candidates) {
            running.add(DETECTION.submit(() -> score(candidate, location)));
        }
        long end = System.nanoTime() + deadline.toNanos();
        List<Scored<T>> scored = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            java.util.concurrent.Future<Scored<T>> future = running.get(i);
            try {
                scored.add(future.get(Math.max(0, end - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS));
            } catch (java.util.concurrent.TimeoutException e) {
                future.cancel(true);
                String failure = "no answer within the detection deadline of " + deadline.toMillis() + " ms";
                warnings.accept(candidates.get(i).label(kind) + " did not detect " + location + " in time and was skipped: "
                        + failure);
                scored.add(new Scored<>(candidates.get(i), null, failure));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.forEach(f -> f.cancel(true));
                scored.add(new Scored<>(candidates.get(i), null, "interrupted"));
            } catch (java.util.concurrent.ExecutionException e) {
                scored.add(new Scored<>(candidates.get(i), null, Failures.describe(e.getCause())));
            }
        }
        return scored;
    }

    private Optional<Scored<T>> bestOf(List<Scored<T>> scored, Path location) throws CheckpointException {
        List<Scored<T>> matches = scored.stream().filter(Scored::matches)
                .sorted(Comparator.comparing((Scored<T> s) -> s.detection().tier()).reversed())
                .toList();
        if (matches.isEmpty()) {
            return Optional.empty();
        }
        Detection.Tier top = matches.getFirst().detection().tier();
        List<Scored<T>> best = matches.stream().filter(s -> s.detection().tier() == top).toList();
        for (Scored<T> s : best) {
            NameConflict conflict = conflicts.apply(s.provider().name());
            if (conflict != null) {
                throw new CheckpointException(location + " looks like " + kind + " '" + s.provider().name() + "', but "
                        + conflict.message());
            }
        }
        if (best.size() > 1) {
            String tied = best.stream().map(s -> "'" + s.provider().name() + "' (plugin '" + s.provider().plugin().name() + "')")
                    .collect(Collectors.joining(" and "));
            throw new CheckpointException("cannot tell the " + kind + " of " + location + ": " + tied + " all claim it at tier "
                    + top.name().toLowerCase(java.util.Locale.ROOT)
                    + "; " + listing(scored));
        }
        return Optional.of(best.getFirst());
    }

    private Scored<T> score(Provided<T> candidate, Path location) {
        try {
            Detection detection = PluginGuard.call(candidate.plugin().loader(), () -> detect.detect(candidate.impl(), location));
            return new Scored<>(candidate, detection, null);
        } catch (CheckpointException | PluginFault e) {
            String failure = e.getMessage();
            warnings.accept(candidate.label(kind) + " failed to detect " + location + " and was skipped: " + failure);
            return new Scored<>(candidate, null, failure);
        }
    }

    private String listing(List<Scored<T>> scored) {
        List<String> lines = new ArrayList<>();
        for (Scored<T> s : scored) {
            lines.add(s.describe());
        }
        String listing = "candidates: " + (lines.isEmpty() ? "none" : String.join("; ", lines));
        return option == null ? listing : listing + "; choose one with " + option;
    }
}
