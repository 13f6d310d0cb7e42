package dev.ingot.engine.plugin;

import dev.ingot.spi.model.ModelArchitecture;

/** The architecture that runs a checkpoint and the plugin that provides it. */
public record ArchitectureChoice(ModelArchitecture architecture, String pluginName) {}
