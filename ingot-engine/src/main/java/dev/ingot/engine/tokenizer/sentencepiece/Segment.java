package dev.ingot.engine.tokenizer.sentencepiece;

/** One piece of segmented text: the normalised text it covers and its id ({@code unkId} when no piece covers it). */
record Segment(String text, int id) {}
