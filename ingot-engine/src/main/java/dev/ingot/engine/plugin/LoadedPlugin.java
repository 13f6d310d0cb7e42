package dev.ingot.engine.plugin;

import dev.ingot.spi.SpiVersion;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.model.ModelArchitecture;
import dev.ingot.spi.tokenizer.TokenizerProvider;
import dev.ingot.spi.update.UpdateTransport;
import java.util.List;

/** A plugin that passed every check, with what it provides and the class loader its code runs in. */
record LoadedPlugin(String name, String version, SpiVersion spiVersion, PluginOrigin origin, ClassLoader loader,
        List<Extension<CheckpointFormat>> formats, List<Extension<ModelArchitecture>> architectures,
        List<Extension<TokenizerProvider>> tokenizers, List<Extension<UpdateTransport>> transports) {

    LoadedPlugin {
        formats = List.copyOf(formats);
        architectures = List.copyOf(architectures);
        tokenizers = List.copyOf(tokenizers);
        transports = List.copyOf(transports);
    }

    /** {@code plugin 'acme' (/plugins/acme.jar)}: how messages name it. */
    String label() {
        return "plugin '" + name + "' (" + origin + ")";
    }

    PluginInfo info() {
        return new PluginInfo(name, version, spiVersion.toString(), origin, infos(formats), infos(architectures),
                infos(tokenizers), infos(transports));
    }

    private static List<PluginInfo.ExtensionInfo> infos(List<? extends Extension<?>> extensions) {
        return extensions.stream().map(e -> new PluginInfo.ExtensionInfo(e.name(), e.description())).toList();
    }
}
