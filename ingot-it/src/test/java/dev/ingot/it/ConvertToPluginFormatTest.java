package dev.ingot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.server.cli.testing.CliRun;
import dev.ingot.testkit.SharedModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingot convert} into a format only a plugin jar can write: stories260K from the Hugging Face
 * folder to a llama2.c file via the llama2c plugin's writer, which then reproduces run.c's text.
 */
class ConvertToPluginFormatTest {

    @TempDir
    Path temp;

    @Test
    void huggingFaceToLlama2cThroughThePluginsWriterReproducesRunC() {
        Path bin = temp.resolve("converted").resolve("stories260K.bin");
        String plugins = ItPlugins.folder().toString();

        CliRun converted = CliRun.ingot("convert", "--model", SharedModels.storiesHf().toString(), "--plugins", plugins,
                "--to", "llama2c", "--out", bin.toString());
        assertThat(converted.exitCode()).as(converted.err()).isZero();
        assertThat(converted.out()).contains("to " + bin + " (llama2c)");
        // llama2.c files carry no tokenizer: the source's tokenizer.json goes beside the file, where the loader looks
        assertThat(bin.resolveSibling("tokenizer.json")).hasSameBinaryContentAs(SharedModels.storiesHf().resolve("tokenizer.json"));

        CliRun generated = CliRun.ingot("generate", "--model", bin.toString(), "--plugins", plugins, "--prompt", "Once upon a time",
                "--temperature", "0", "--max-tokens", "252");
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        assertThat(generated.out()).isEqualTo(SharedModels.referenceOnceUponATime() + System.lineSeparator());
    }
}
