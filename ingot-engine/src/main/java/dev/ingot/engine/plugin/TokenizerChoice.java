package dev.ingot.engine.plugin;

import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.TokenizerProvider;

/** The tokenizer provider that will open a file, which plugin provides it, and why it was chosen. */
public record TokenizerChoice(TokenizerProvider provider, String pluginName, Detection detection) {}
