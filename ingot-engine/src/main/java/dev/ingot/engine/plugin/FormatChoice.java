package dev.ingot.engine.plugin;

import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.Detection;

/** The format that will open a location, which plugin provides it, and why it was chosen. */
public record FormatChoice(CheckpointFormat format, String pluginName, Detection detection) {}
