package dev.ingot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.server.cli.IngotCommand;
import dev.ingot.testkit.SharedModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ingot convert} into a format only a plugin jar can write: stories260K from the Hugging Face
 * folder to a llama2.c file via the llama2c plugin's writer, which then reproduces run.c's text.
 */
class ConvertToPluginFormatTest {

    @TempDir
    Path temp;

    private record Run(int exit, String out, String err) {}

    private static Run ingot(String... args) {
        CommandLine cli = IngotCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void huggingFaceToLlama2cThroughThePluginsWriterReproducesRunC() {
        Path bin = temp.resolve("converted").resolve("stories260K.bin");
        String plugins = ItPlugins.folder().toString();

        Run converted = ingot("convert", "--model", SharedModels.storiesHf().toString(), "--plugins", plugins,
                "--to", "llama2c", "--out", bin.toString());
        assertThat(converted.exit()).as(converted.err()).isZero();
        assertThat(converted.out()).contains("to " + bin + " (llama2c)");
        // llama2.c files carry no tokenizer: the source's tokenizer.json goes beside the file, where the loader looks
        assertThat(bin.resolveSibling("tokenizer.json")).hasSameBinaryContentAs(SharedModels.storiesHf().resolve("tokenizer.json"));

        Run generated = ingot("generate", "--model", bin.toString(), "--plugins", plugins, "--prompt", "Once upon a time",
                "--temperature", "0", "--max-tokens", "252");
        assertThat(generated.exit()).as(generated.err()).isZero();
        assertThat(generated.out()).isEqualTo(SharedModels.referenceOnceUponATime() + System.lineSeparator());
    }
}
