package dev.ingot.engine.plugin;

/**
 * One thing a plugin provides (a format, a tokenizer provider, a transport), with the name and
 * description read once when the plugin loaded, so listings never call back into plugin code.
 */
record Extension<T>(String name, String description, T impl) {}
