package dev.ingot.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The real trained weights in {@code ../shared/models/} beside the checkout, and the reference
 * outputs llama2.c's {@code run.c} produced for them, read from that folder's README (so no expected
 * text is ever written by us).
 */
public final class SharedModels {

    private SharedModels() {}

    /** {@code ../shared/models}, from the {@code ingot.models} system property the build sets, else relative to the project. */
    public static Path root() {
        String configured = System.getProperty("ingot.models");
        Path root = configured != null ? Paths.get(configured) : Paths.get("..", "shared", "models");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("shared models not found at " + root.toAbsolutePath()
                    + " (expected ../shared/models beside the checkout)");
        }
        return root.normalize();
    }

    /**
     * {@code ../shared/tokenizers}, the sibling of the models folder: real tokenizers (Qwen3, DeepSeek V3)
     * with Hugging Face's own encodings and chat renderings for them.
     */
    public static Path tokenizers() {
        Path folder = root().resolveSibling("tokenizers");
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException("shared tokenizers not found at " + folder.toAbsolutePath()
                    + " (expected beside the shared models folder)");
        }
        return folder;
    }

    /** The Hugging Face layout folder of stories260K. */
    public static Path storiesHf() {
        return root().resolve("stories260K-hf");
    }

    /** llama2.c's {@code stories260K.bin}. */
    public static Path storiesBin() {
        return root().resolve("stories260K").resolve("stories260K.bin");
    }

    /** llama2.c's {@code tok512.bin}. */
    public static Path storiesTokenizer() {
        return root().resolve("stories260K").resolve("tok512.bin");
    }

    /** run.c's greedy output for the prompt "Once upon a time" (prompt included, as run.c prints it). */
    public static String referenceOnceUponATime() {
        return referenceBlockAfter("Prompt `Once upon a time`:");
    }

    /** run.c's greedy output for the empty prompt, 256 positions. */
    public static String referenceEmptyPrompt() {
        return referenceBlockAfter("Empty prompt");
    }

    /** The first fenced code block after the line starting with {@code heading}, without its final newline. */
    static String referenceBlockAfter(String heading) {
        String readme;
        try {
            readme = Files.readString(root().resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int at = readme.indexOf(heading);
        if (at < 0) {
            throw new IllegalStateException("the models README has no section '" + heading + "'");
        }
        int open = readme.indexOf("```", at);
        int start = readme.indexOf('\n', open) + 1;
        int close = readme.indexOf("\n```", start);
        return readme.substring(start, close);
    }
}
