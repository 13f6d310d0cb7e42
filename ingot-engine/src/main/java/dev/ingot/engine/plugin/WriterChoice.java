package dev.ingot.engine.plugin;

import dev.ingot.spi.format.CheckpointWriter;

/** A format's writer, with the choice that names its plugin (calls into it go through the guard). */
public record WriterChoice(FormatChoice format, CheckpointWriter writer) {}
