package dev.ingot.engine.plugin;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.model.ModelConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Finds the architecture a config asks for among the plugins' architectures: by Hugging Face class
 * name first (a config may list several; the first one provided wins), then by {@code model_type}.
 * Two plugins answering the same name is an error naming both; no answer is one line naming what the
 * config asks for and what each plugin provides.
 */
final class ArchitectureResolver {

    private final List<Provided<ModelArchitecture>> available;
    private final Collection<LoadedPlugin> plugins;

    ArchitectureResolver(List<Provided<ModelArchitecture>> available, Collection<LoadedPlugin> plugins) {
        this.available = available;
        this.plugins = plugins;
    }

    ArchitectureChoice resolve(ModelConfig config) throws CheckpointException {
        List<String> classes = config.architectures();
        for (String hfClass : classes) {
            Optional<ArchitectureChoice> found = unique(hfClass, a -> a.hfArchitectures().contains(hfClass));
            if (found.isPresent()) {
                return found.get();
            }
        }
        Optional<String> modelType = config.modelType();
        if (modelType.isPresent()) {
            Optional<ArchitectureChoice> found = unique(modelType.get(), a -> a.modelTypes().contains(modelType.get()));
            if (found.isPresent()) {
                return found.get();
            }
        }
        String wanted = (classes.isEmpty() ? "" : String.join(", ", classes) + " ")
                + modelType.map(t -> "(model_type " + t + ")")
                        .orElse(classes.isEmpty() ? "(none: the config has no \"architectures\" or \"model_type\")" : "");
        throw new CheckpointException(config.origin() + ": no plugin provides architecture " + wanted.trim()
                + "; searched " + searched() + "; add the plugin that provides it with --plugins DIR");
    }

    private Optional<ArchitectureChoice> unique(String wanted, Predicate<ModelArchitecture> answers) throws CheckpointException {
        List<Provided<ModelArchitecture>> matches = available.stream().filter(p -> answers.test(p.impl())).toList();
        if (matches.size() > 1) {
            throw new CheckpointException("architecture " + wanted + " is provided by several plugins: "
                    + String.join(", ", matches.stream().map(p -> p.label("architecture")).toList())
                    + "; remove all but one from the plugin path");
        }
        return matches.stream().findFirst().map(p -> new ArchitectureChoice(p.impl(), p.plugin().name()));
    }

    /** {@code builtin (LlamaForCausalLM, MistralForCausalLM), gguf (none), …}: what each plugin answers to. */
    private String searched() {
        List<String> parts = new ArrayList<>();
        for (LoadedPlugin plugin : plugins) {
            List<String> names = plugin.architectures().stream().map(e -> e.impl().hfArchitectures())
                    .flatMap(List::stream).toList();
            parts.add(plugin.name() + (names.isEmpty() ? " (none)" : " (" + String.join(", ", names) + ")"));
        }
        return String.join(", ", parts);
    }
}
