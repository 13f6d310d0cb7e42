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

    /**
     * @param kind      {@code "format"} or {@code "tokenizer provider"}, for messages
     * @param option    what the user passes to choose instead, e.g. {@code "--format NAME"}; null when there is nothing
     * @param conflicts the unresolved conflict for a name, or null when the name is not contested
     */
    Detector(String kind, String option, Detect<T> detect, Function<String, NameConflict> conflicts, Consumer<String> warnings) {
        this.kind = kind;
        this.option = option;
        this.detect = detect;
        this.conflicts = conflicts;
        this.warnings = warnings;
    }

    /** The single best match; an error listing the candidates when nothing matches or the top is shared. */
    Scored<T> best(List<Provided<T>> candidates, Path location) throws CheckpointException {
        List<Scored<T>> scored = candidates.stream().map(c -> score(c, location)).toList();
        return bestOf(scored, location).orElseThrow(
                () -> new CheckpointException("no " + kind + " recognises " + location + "; " + listing(scored)));
    }

    /** Like {@link #best}, but empty when nothing matches (a tie is still an error). */
    Optional<Scored<T>> find(List<Provided<T>> candidates, Path location) throws CheckpointException {
        return bestOf(candidates.stream().map(c -> score(c, location)).toList(), location);
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
