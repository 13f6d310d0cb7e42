package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.engine.plugin.testing.JarBuilder;
import dev.ingot.engine.safetensors.SafetensorsTensorSource;
import dev.ingot.engine.services.Services;
import dev.ingot.server.cli.testing.CliRun;
import dev.ingot.spi.json.JsonValue;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.testkit.SharedModels;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ingot convert} with the built-in Hugging Face writer, on the real stories260K weights: the
 * converted folders run and reproduce llama2.c's run.c text, and bad requests get one clear line.
 */
class ConvertCommandTest {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path temp;

    private static CliRun convert(Path out, String to, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("convert", "--model", SharedModels.storiesHf().toString(),
                "--to", to, "--out", out.toString()));
        args.addAll(List.of(more));
        return CliRun.ingot(args.toArray(String[]::new));
    }

    private static String greedy(Path model) {
        CliRun run = CliRun.ingot("generate", "--model", model.toString(), "--prompt", "Once upon a time", "--temperature", "0",
                "--max-tokens", "252");
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run.out();
    }

    @Test
    void f16ConversionRunsAndReproducesRunC() throws IOException {
        Path out = temp.resolve("stories-f16");
        CliRun run = convert(out, "hf", "--dtype", "F16");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("to " + out + " (hf)").contains("tensors").contains("MB as F16");
        assertThat(dtypes(out.resolve("model.safetensors"))).containsOnly(DType.F16);
        assertThat(out.resolve("tokenizer.json")).hasSameBinaryContentAs(SharedModels.storiesHf().resolve("tokenizer.json"));
        assertThat(greedy(out)).isEqualTo(SharedModels.referenceOnceUponATime() + System.lineSeparator());
    }

    @Test
    void bf16ConversionLoadsAndEveryValueIsTheSourceRoundedToBf16Precision() throws IOException {
        Path out = temp.resolve("stories-bf16");
        CliRun run = convert(out, "hf", "--dtype", "BF16");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(dtypes(out.resolve("model.safetensors"))).containsOnly(DType.BF16);
        try (SafetensorsTensorSource source = SafetensorsTensorSource.open(SharedModels.storiesHf().resolve("model.safetensors"));
                SafetensorsTensorSource converted = SafetensorsTensorSource.open(out.resolve("model.safetensors"))) {
            assertThat(names(converted)).containsExactlyInAnyOrderElementsOf(names(source));
            for (TensorInfo info : source.list()) {
                MemorySegment f32 = source.read(info.name()).data();
                MemorySegment bf16 = converted.read(info.name()).data();
                for (long i = 0; i < info.shape().elementCount(); i++) {
                    float original = f32.getAtIndex(F32, i);
                    // BF16 is F32's upper half, 8 significant bits: rounding to nearest moves a value by at most
                    // half a unit in the last place, 2^-8 of the value's binade, so at most |x|/256
                    float stored = Float.intBitsToFloat((bf16.getAtIndex(U16, i) & 0xffff) << 16);
                    assertThat(Math.abs(stored - original)).as("%s[%d]", info.name(), i)
                            .isLessThanOrEqualTo(Math.abs(original) / 256f);
                }
            }
        }
        assertThat(greedy(out)).startsWith("Once upon a time");
    }

    @Test
    void f32RoundTripKeepsEveryTensorByteForByteAndTheConfig() throws IOException {
        Path out = temp.resolve("stories-f32");
        CliRun run = convert(out, "hf", "--dtype", "F32");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(configSpec(out.resolve("config.json"))).isEqualTo(configSpec(SharedModels.storiesHf().resolve("config.json")));
        try (SafetensorsTensorSource source = SafetensorsTensorSource.open(SharedModels.storiesHf().resolve("model.safetensors"));
                SafetensorsTensorSource converted = SafetensorsTensorSource.open(out.resolve("model.safetensors"))) {
            assertThat(names(converted)).containsExactlyInAnyOrderElementsOf(names(source));
            for (TensorInfo info : source.list()) {
                Tensor original = source.read(info.name());
                Tensor copy = converted.read(info.name());
                assertThat(copy.info()).isEqualTo(original.info());
                assertThat(copy.data().mismatch(original.data())).as(info.name()).isEqualTo(-1L);
            }
        }
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary files left")
                    .containsExactlyInAnyOrder("config.json", "model.safetensors", "tokenizer.json");
        }
    }

    @Test
    void anUnknownTargetFormatIsOneLineNamingTheKnownOnes() {
        Path out = temp.resolve("never");
        CliRun run = convert(out, "nosuch");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).isEqualTo("error: unknown format 'nosuch'; known formats: hf");
        assertThat(out).doesNotExist();
    }

    @Test
    void aTargetFormatWithoutAWriterIsRefusedNamingTheFormatsThatHaveOne() throws IOException {
        Path plugins = temp.resolve("plugins");
        new JarBuilder().source("test.readonly.ReadOnlyPlugin", READ_ONLY_PLUGIN).service("test.readonly.ReadOnlyPlugin")
                .write(plugins.resolve("read-only.jar"));
        Path out = temp.resolve("never");
        CliRun run = convert(out, "readonly", "--plugins", plugins.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip())
                .isEqualTo("error: format 'readonly' cannot be written (it has no writer); formats with a writer: hf");
        assertThat(out).doesNotExist();
    }

    @Test
    void aNonEmptyOutputFolderIsRefusedUnlessForced() throws IOException {
        Path out = Files.createDirectories(temp.resolve("occupied"));
        Files.writeString(out.resolve("notes.txt"), "keep me");

        CliRun refused = convert(out, "hf");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err().strip())
                .isEqualTo("error: " + out + ": the output folder exists and is not empty; choose another --out or pass --force");
        assertThat(out.resolve("config.json")).doesNotExist();

        CliRun forced = convert(out, "hf", "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(out.resolve("notes.txt")).hasContent("keep me");
        assertThat(greedy(out)).isEqualTo(SharedModels.referenceOnceUponATime() + System.lineSeparator());
    }

    @Test
    void anEmptyOutputFolderIsUsedAsItIs() throws IOException {
        Path out = Files.createDirectories(temp.resolve("empty"));
        CliRun run = convert(out, "hf");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(out.resolve("config.json")).exists();
        assertThat(out.resolve("model.safetensors")).exists();
    }

    private static List<DType> dtypes(Path safetensors) throws IOException {
        try (SafetensorsTensorSource source = SafetensorsTensorSource.open(safetensors)) {
            return source.list().stream().map(TensorInfo::dtype).toList();
        }
    }

    private static List<String> names(SafetensorsTensorSource source) throws IOException {
        return source.list().stream().map(TensorInfo::name).toList();
    }

    /** A format that reads nothing and offers no writer, as a read-only plugin would. */
    private static final String READ_ONLY_PLUGIN = """
            package test.readonly;

            import dev.ingot.spi.CheckpointException;
            import dev.ingot.spi.IngotPlugin;
            import dev.ingot.spi.format.Checkpoint;
            import dev.ingot.spi.format.CheckpointFormat;
            import dev.ingot.spi.format.Detection;
            import dev.ingot.spi.model.ModelSpec;
            import dev.ingot.spi.engine.EngineServices;
            import dev.ingot.spi.mapping.WeightMapper;
            import java.nio.file.Path;
            import java.util.List;

            public final class ReadOnlyPlugin implements IngotPlugin {
                @Override public String name() { return "read-only"; }
                @Override public String version() { return "1"; }
                @Override public String spiVersion() { return IngotPlugin.SPI_VERSION; }
                @Override public List<CheckpointFormat> formats() {
                    return List.of(new CheckpointFormat() {
                        @Override public String name() { return "readonly"; }
                        @Override public String description() { return "reads nothing, writes nothing"; }
                        @Override public Detection detect(Path location, EngineServices engine) { return Detection.no("never"); }
                        @Override public Checkpoint open(Path location, EngineServices engine) throws CheckpointException {
                            throw new CheckpointException(location + ": readonly opens nothing");
                        }
                        @Override public WeightMapper mapper(ModelSpec spec) { throw new UnsupportedOperationException(); }
                    });
                }
            }
            """;

    /** The spec a config.json describes, as the builtin llama architecture reads it. */
    private static ModelSpec configSpec(Path configJson) throws IOException {
        JsonValue json = new Services().readJson(configJson, 1 << 20);
        return LlamaArchitecture.llama().parse(new ModelConfig(configJson.toString(), (JsonValue.JsonObject) json));
    }
}
