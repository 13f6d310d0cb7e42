package dev.ingot.engine.plugin;

import dev.ingot.spi.CheckpointException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Extensions of one kind by name. A name several plugins provide is unavailable (a {@link NameConflict})
 * unless the user named the winning plugin; asking for {@code NAME@plugin} always reaches that plugin's.
 */
final class ProviderRegistry<T> {

    private final String kind;
    private final Map<String, List<Provided<T>>> byName = new LinkedHashMap<>();
    private final Map<String, Provided<T>> available = new LinkedHashMap<>();
    private final Map<String, NameConflict> conflicts = new LinkedHashMap<>();

    /**
     * @param kind    {@code "format"}, {@code "transport"}: used in messages
     * @param option  the command-line option users pick one with, e.g. {@code "--format"}
     * @param winners name to the plugin that wins it
     */
    ProviderRegistry(String kind, String option, List<Provided<T>> providers, Map<String, String> winners,
            Consumer<String> warnings) {
        this.kind = kind;
        for (Provided<T> provider : providers) {
            byName.computeIfAbsent(provider.name(), n -> new ArrayList<>()).add(provider);
        }
        byName.forEach((name, candidates) -> {
            String winner = winners.get(name);
            List<Provided<T>> chosen = winner == null ? candidates
                    : candidates.stream().filter(p -> p.plugin().name().equals(winner)).toList();
            if (winner != null && chosen.isEmpty()) {
                warnings.accept(option + " " + name + "@" + winner + ": plugin '" + winner + "' does not provide "
                        + kind + " '" + name + "'; it comes from " + describe(candidates));
                chosen = candidates;
            }
            if (chosen.size() == 1) {
                available.put(name, chosen.getFirst());
            } else {
                conflicts.put(name, new NameConflict(kind, name, option, candidates.stream()
                        .map(p -> new NameConflict.Provider(p.plugin().name(), p.plugin().origin())).toList()));
            }
        });
    }

    /** The provider the request names, or an error saying which names exist or who competes for it. */
    Provided<T> get(FormatRequest request) throws CheckpointException {
        List<Provided<T>> candidates = byName.get(request.name());
        if (candidates == null) {
            throw new CheckpointException("unknown " + kind + " '" + request.name() + "'; known " + kind + "s: "
                    + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet())));
        }
        if (request.plugin().isPresent()) {
            String plugin = request.plugin().get();
            return candidates.stream().filter(p -> p.plugin().name().equals(plugin)).findFirst()
                    .orElseThrow(() -> new CheckpointException("plugin '" + plugin + "' does not provide " + kind + " '"
                            + request.name() + "'; it comes from " + describe(candidates)));
        }
        Provided<T> provider = available.get(request.name());
        if (provider == null) {
            throw new CheckpointException(conflicts.get(request.name()).message());
        }
        return provider;
    }

    List<Provided<T>> available() {
        return List.copyOf(available.values());
    }

    List<NameConflict> conflicts() {
        return List.copyOf(conflicts.values());
    }

    NameConflict conflict(String name) {
        return conflicts.get(name);
    }

    /** What detection asks: the provider of each available name and every provider of a contested one. */
    List<Provided<T>> detectionCandidates() {
        List<Provided<T>> candidates = new ArrayList<>();
        byName.forEach((name, providers) -> {
            Provided<T> chosen = available.get(name);
            if (chosen != null) {
                candidates.add(chosen);
            } else {
                candidates.addAll(providers);
            }
        });
        return candidates;
    }

    private static String describe(List<? extends Provided<?>> providers) {
        return providers.stream().map(p -> p.plugin().label()).collect(Collectors.joining(" and "));
    }
}
