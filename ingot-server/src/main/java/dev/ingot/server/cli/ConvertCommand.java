package dev.ingot.server.cli;

import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.ElementConversion;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.plugin.WriterChoice;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tokenizer.SentencePieceVocabulary;
import dev.ingot.engine.tokenizer.SentencePieceExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ingot convert}: opens any checkpoint a plugin can read, loads it into canonical weights exactly
 * as the engine does, and hands them to another format's {@code CheckpointWriter}.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a checkpoint to another format (any format whose plugin provides a writer).")
public final class ConvertCommand implements Callable<Integer> {

    /** The element types a converted checkpoint may be stored in: the ones the engine keeps. */
    enum TargetType { F32, BF16, F16 }

    /** Files a Hugging Face tokenizer consists of; copied along so the converted checkpoint runs on its own. */
    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Checkpoint file or folder to convert.")
    Path model;

    @Option(names = "--format", paramLabel = "NAME[@PLUGIN]", description = "Its format (default: detected).")
    String format;

    @Mixin
    PluginOptions pluginOptions = new PluginOptions();

    @Option(names = "--to", required = true, paramLabel = "FORMAT[@PLUGIN]", description = "The format to write.")
    String to;

    @Option(names = "--out", required = true, paramLabel = "PATH",
            description = "Where to write (a folder, or a file for single-file formats); must not exist or be empty.")
    Path out;

    @Option(names = "--dtype", paramLabel = "F32|BF16|F16",
            description = "Store every tensor in this type (default: keep each tensor's own type); with --quantize, the tensors left unquantized.")
    TargetType dtype;

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0",
            description = "Store every matrix whose rows are whole 32-element blocks as GGML Q8_0 or Q4_0 (ggml's reference"
                    + " quantizer), for formats that hold them (gguf); other tensors follow --dtype.")
    String quantize;

    @Option(names = "--force", description = "Write into an existing, non-empty folder (or over an existing file).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(model)) {
            throw new CheckpointException("no such file or folder: " + model);
        }
        refuseOccupiedOutput();
        long start = System.nanoTime();
        try (PluginHost host = PluginHost.discover(pluginOptions.config(System::getenv).withFormatOption(format))) {
            WriterChoice writer = host.writer(to);
            try (OpenedCheckpoint opened = CheckpointPipeline.open(host, model, ModelOptions.formatName(format));
                    Arena arena = Arena.ofConfined()) {
                Map<String, Tensor> canonical = opened.canonicalWeights(arena, quantizeType());
                if (dtype != null) {
                    canonical = converted(canonical, DType.valueOf(dtype.name()), arena);
                }
                ModelConfig config = host.callArchitecture(opened.architecture(), "failed to describe the model",
                        () -> opened.architecture().architecture().describe(opened.spec()));
                Optional<SentencePieceVocabulary> vocabulary = vocabulary(opened);
                boolean embedded = writeFresh(host, writer, opened, config, canonical, vocabulary);
                Optional<Path> tokenizerCopied = embedded ? Optional.empty() : copyTokenizer();
                printSummary(opened.format(), canonical, tokenizerCopied, System.nanoTime() - start);
            }
        }
        return 0;
    }

    /** A write that fails leaves no output behind when {@code --out} did not exist before (nothing half-done). */
    private boolean writeFresh(PluginHost host, WriterChoice writer, OpenedCheckpoint opened, ModelConfig config,
            Map<String, Tensor> canonical, Optional<SentencePieceVocabulary> vocabulary) throws IOException {
        boolean existed = Files.exists(out);
        try {
            return host.callFormat(writer.format(), "failed to write " + out,
                    () -> writer.writer().write(out, opened.spec(), config, canonical, vocabulary));
        } catch (IOException | RuntimeException e) {
            if (!existed) {
                deleteRecursively(out);
            }
            throw e;
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Nothing already at {@code --out} is overwritten unless asked: a conversion must not mix with old files. */
    private void refuseOccupiedOutput() throws IOException {
        if (force || !Files.exists(out)) {
            return;
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new CheckpointException(out + ": the output folder exists and is not empty; choose another --out or pass --force");
                }
            }
        } else {
            throw new CheckpointException(out + ": the output file exists; choose another --out or pass --force");
        }
    }

    private Optional<DType> quantizeType() {
        if (quantize == null) {
            return Optional.empty();
        }
        return switch (quantize.toLowerCase(Locale.ROOT)) {
            case "q8_0" -> Optional.of(DType.Q8_0);
            case "q4_0" -> Optional.of(DType.Q4_0);
            default -> throw new IllegalArgumentException("--quantize takes q8_0 or q4_0, not '" + quantize + "'");
        };
    }

    /**
     * The source's vocabulary as SentencePiece pieces, for writers of formats that embed one (gguf): from the
     * tokenizer.json beside the source, when it is a SentencePiece-style BPE; otherwise none, and why is printed.
     */
    private Optional<SentencePieceVocabulary> vocabulary(OpenedCheckpoint opened) throws IOException {
        Path sourceFolder = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        List<Integer> eos = opened.spec().eosTokenIds();
        SentencePieceExport.Result result = SentencePieceExport.fromTokenizerJson(sourceFolder.resolve(TOKENIZER_FILES.getFirst()),
                opened.spec().bosTokenId(), eos.isEmpty() ? -1 : eos.getFirst());
        if (result.vocabulary() == null) {
            vocabularyNote = result.reason();
        }
        return Optional.ofNullable(result.vocabulary());
    }

    private String vocabularyNote;

    /** Every tensor in {@code type}; tensors already in it, and GGML blocks, are passed on as they are. */
    private static Map<String, Tensor> converted(Map<String, Tensor> canonical, DType type, Arena arena) {
        Map<String, Tensor> result = new LinkedHashMap<>();
        for (Tensor tensor : canonical.values()) {
            TensorInfo info = tensor.info();
            if (info.dtype() == type || info.dtype().blockElements() > 1) {
                result.put(tensor.name(), tensor);
                continue;
            }
            TensorInfo target = new TensorInfo(info.name(), type, info.shape());
            MemorySegment data = arena.allocate(target.byteSize(), type.byteSize());
            ElementConversion.convert(tensor.data(), info.dtype(), data, type, info.shape().elementCount());
            result.put(tensor.name(), new Tensor(target, data));
        }
        return result;
    }

    /**
     * The source's Hugging Face tokenizer files, copied into the folder that now holds the checkpoint
     * (the output folder, or a single file's own folder) when that folder has no tokenizer.json yet:
     * the loader looks for one there.
     */
    private Optional<Path> copyTokenizer() throws IOException {
        Path sourceFolder = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        Path targetFolder = Files.isDirectory(out) ? out : out.toAbsolutePath().getParent();
        if (Files.exists(targetFolder.resolve(TOKENIZER_FILES.getFirst()))
                || !Files.isRegularFile(sourceFolder.resolve(TOKENIZER_FILES.getFirst()))) {
            return Optional.empty();
        }
        for (String name : TOKENIZER_FILES) {
            Path source = sourceFolder.resolve(name);
            if (Files.isRegularFile(source) && !Files.exists(targetFolder.resolve(name))) {
                Files.copy(source, targetFolder.resolve(name));
            }
        }
        return Optional.of(targetFolder.resolve(TOKENIZER_FILES.getFirst()));
    }

    private void printSummary(FormatChoice source, Map<String, Tensor> canonical, Optional<Path> tokenizer, long nanos) {
        long bytes = canonical.values().stream().mapToLong(t -> t.info().byteSize()).sum();
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf(Locale.ROOT, "converted %s (%s) to %s (%s): %d tensors, %.1f MB%s in %.2f s%s%n", model,
                source.format().name(), out, to, canonical.size(), bytes / 1e6,
                dtype == null ? "" : " as " + dtype, nanos / 1e9,
                tokenizer.map(t -> "; copied the tokenizer to " + t).orElse(""));
        if (vocabularyNote != null && to.startsWith("gguf")) {
            printer.println("note: no vocabulary written into the file: " + vocabularyNote);
        }
        printer.flush();
    }
}
