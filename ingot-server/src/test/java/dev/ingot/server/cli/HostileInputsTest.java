package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.server.cli.testing.LowHeapRun;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small hostile files, each run by {@code ingot} in a fresh JVM with a 256 MiB heap: every one ends in
 * one {@code error:} line and exit code 1 within 5 seconds of work, never an OutOfMemoryError or a hang.
 */
class HostileInputsTest {

    /** The budget the issue sets for each reproduction, beyond starting the JVM. */
    private static final long BUDGET_MS = 5_000;

    /**
     * How long {@code ingot --version} takes in the same kind of JVM, measured once: on a machine busy with
     * other builds JVM start alone can take seconds, which is not what the budget is about.
     */
    private static long startMillis = -1;

    @TempDir
    Path dir;

    private static synchronized long startMillis() throws IOException, InterruptedException {
        if (startMillis < 0) {
            LowHeapRun start = LowHeapRun.ingot(30, "--version");
            assertThat(start.exitCode()).as("%s", start).isZero();
            startMillis = start.millis();
        }
        return startMillis;
    }

    private static void assertRefused(LowHeapRun run, String... messageParts) throws IOException, InterruptedException {
        assertThat(run.timedOut()).as("%s", run).isFalse();
        assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
        assertThat(run.oneErrorLine()).as("%s", run).isTrue();
        assertThat(run.output()).as("%s", run).doesNotContain("Exception", "Error:", "\tat ");
        for (String part : messageParts) {
            assertThat(run.output()).as("%s", run).contains(part);
        }
        assertThat(run.millis()).as("%s (a plain start takes %d ms)", run, startMillis()).isLessThan(startMillis() + BUDGET_MS);
    }

    /** The stories260K hf folder with {@code config.json} edited by {@code edit}. */
    private Path storiesWithConfig(java.util.function.UnaryOperator<String> edit) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model"));
        for (String file : new String[] {"model.safetensors", "tokenizer.json"}) {
            Files.copy(SharedModels.storiesHf().resolve(file), folder.resolve(file));
        }
        Files.writeString(folder.resolve("config.json"), edit.apply(Files.readString(SharedModels.storiesHf().resolve("config.json"))));
        return folder;
    }

    @Test
    void aConfigDeclaringTwoBillionLayersIsRefusedByInspectAndGenerate() throws Exception {
        Path model = storiesWithConfig(c -> c.replaceFirst("\"num_hidden_layers\":\\s*\\d+", "\"num_hidden_layers\": 2147483647"));
        assertRefused(LowHeapRun.ingot(30, "inspect", model.toString()), "2147483647", "layers");
        assertRefused(LowHeapRun.ingot(30, "generate", "--model", model.toString(), "--prompt", "Once", "--max-tokens", "2"),
                "2147483647", "layers");
    }

    /** A safetensors file whose JSON header is {@code json} padded with spaces to {@code headerBytes}, with no tensors. */
    private static void writeSafetensors(Path file, byte[] json, long headerBytes) throws IOException {
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer prefix = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, headerBytes);
            out.write(prefix);
            out.write(java.nio.ByteBuffer.wrap(json));
            java.nio.ByteBuffer spaces = java.nio.ByteBuffer.wrap(" ".repeat(1 << 20).getBytes());
            for (long left = headerBytes - json.length; left > 0; left -= spaces.limit()) {
                spaces.clear().limit((int) Math.min(left, spaces.capacity()));
                out.write(spaces);
            }
        }
    }

    private Path folderWithSafetensors(byte[] json, long headerBytes) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("st"));
        Files.copy(SharedModels.storiesHf().resolve("config.json"), folder.resolve("config.json"));
        writeSafetensors(folder.resolve("model.safetensors"), json, headerBytes);
        return folder;
    }

    @Test
    void aSafetensorsHeaderOf99MegabytesIsRefusedWithoutRunningOutOfMemory() throws Exception {
        // one metadata string of 99 MB: inside the old 100 MB limit, four times the heap once decoded to chars
        byte[] json = new byte[99 << 20];
        byte[] head = "{\"__metadata__\": {\"note\": \"".getBytes();
        byte[] tail = "\"}}".getBytes();
        java.util.Arrays.fill(json, (byte) 'a');
        System.arraycopy(head, 0, json, 0, head.length);
        System.arraycopy(tail, 0, json, json.length - tail.length, tail.length);
        Path model = folderWithSafetensors(json, json.length);
        json = null;
        assertRefused(LowHeapRun.ingot(60, "inspect", model.toString()), "model.safetensors", "header");
    }

    @Test
    void aSafetensorsHeaderWithThreeMillionMetadataKeysIsRefusedQuickly() throws Exception {
        StringBuilder json = new StringBuilder(48 << 20).append("{\"__metadata__\": {");
        for (int i = 0; i < 3_000_000; i++) {
            json.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        json.append("}}");
        byte[] bytes = json.toString().getBytes();
        Path model = folderWithSafetensors(bytes, bytes.length);
        assertRefused(LowHeapRun.ingot(60, "inspect", model.toString()), "model.safetensors");
    }

    @Test
    void aTokenizerWithTwoMillionMergesIsRefusedWithoutRunningOutOfMemory() throws Exception {
        StringBuilder json = new StringBuilder(40 << 20).append("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"aa\": 1}, \"merges\": [");
        for (int i = 0; i < 2_000_000; i++) {
            json.append(i == 0 ? "" : ",").append("[\"a\", \"a\"]");
        }
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), json.append("]}}"));
        assertRefused(LowHeapRun.ingot(60, "generate", "--model", SharedModels.storiesHf().toString(),
                "--tokenizer", tokenizer.toString(), "--prompt", "Once", "--max-tokens", "2"), "tokenizer.json", "merges");
    }
}
