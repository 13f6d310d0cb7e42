package dev.ingot.engine.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ingot.engine.services.Services;
import dev.ingot.spi.CheckpointException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes the fuzzing campaign found (docs/limits.md, "Fuzzing"), each as a plain test beside the saved
 * input the fuzz target replays: every one is now a one-line {@link CheckpointException} naming the file.
 */
class FuzzFindingsTest {

    @TempDir
    Path dir;

    @Test
    void aConfigThatIsNotUtf8IsOneLineNamingTheFile() throws Exception {
        // found by the fuzzing campaign (HfConfigFuzzTest): this was "error: Input length = 1"
        Path file = Files.write(dir.resolve("config.json"), new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'});
        assertThatThrownBy(() -> new Services().readJson(file, 1 << 20))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": not UTF-8 text, so not a JSON file");
    }

    @Test
    void aNumberBeyondDoubleRangeIsOneLineNamingTheFile() throws Exception {
        // found by the fuzzing campaign (HfConfigFuzzTest): 1e1000000 became "Infinity" and a NumberFormatException trace
        Path file = Files.writeString(dir.resolve("config.json"), "{\"intermediate_size\": 1e1000000}");
        assertThatThrownBy(() -> new Services().readJson(file, 1 << 20))
                .isInstanceOf(CheckpointException.class)
                .hasMessage(file + ": a number beyond the range of a 64-bit float (Infinity)");
    }

    @Test
    void aCheckpointErrorStaysOneLineWhateverItQuotes() {
        // found by the fuzzing campaign (TokenizerJsonFuzzTest): pieces with line breaks split the error line
        String message = new CheckpointException("tokenizer.json: model.vocab gives id 1 to both \"\n<s>\n\" and \"a\u0000b\"").getMessage();
        assertThat(message).isEqualTo("tokenizer.json: model.vocab gives id 1 to both \"\\n<s>\\n\" and \"a\\u0000b\"");
        assertThat(new String("tab\tstays".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo(new CheckpointException("tab\tstays").getMessage());
    }
}
