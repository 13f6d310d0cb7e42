package dev.ingot.engine.plugin;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Several plugins provide one name (a format or a transport) and the user has not said which wins:
 * the name is unavailable, and using it is an error with this message.
 *
 * @param kind      {@code "format"} or {@code "transport"}
 * @param option    the option that settles it, e.g. {@code "--format"}
 * @param providers every plugin that provides it, in load order
 */
public record NameConflict(String kind, String name, String option, List<Provider> providers) {

    public NameConflict {
        providers = List.copyOf(providers);
    }

    /** One plugin providing the contested name. */
    public record Provider(String plugin, PluginOrigin origin) {}

    public String message() {
        String who = providers.stream().map(p -> "'" + p.plugin() + "' (" + p.origin() + ")").collect(Collectors.joining(" and "));
        String choices = providers.stream().map(p -> option + " " + name + "@" + p.plugin()).collect(Collectors.joining(" or "));
        return kind + " '" + name + "' is provided by " + providers.size() + " plugins, " + who
                + "; it is unavailable until you choose one with " + choices;
    }
}
