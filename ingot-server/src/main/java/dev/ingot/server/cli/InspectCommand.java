package dev.ingot.server.cli;

import dev.ingot.engine.plugin.FormatChoice;
import dev.ingot.engine.plugin.PluginHost;
import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.spi.model.RopeScaling;
import dev.ingot.spi.mapping.TensorMapping;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code ingot inspect}: which plugin claims a checkpoint, its ModelSpec and its tensors. Reads headers only. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show which format claims a checkpoint, its model spec and its tensors (reads headers only).")
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "Checkpoint file or folder.")
    Path location;

    @Option(names = "--format", paramLabel = "NAME[@PLUGIN]", description = "Checkpoint format (default: detected).")
    String format;

    @Mixin
    PluginOptions plugins = new PluginOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (PluginHost host = PluginHost.discover(plugins.config(System::getenv).withFormatOption(format))) {
            try (OpenedCheckpoint opened = CheckpointPipeline.open(host, location, ModelOptions.formatName(format))) {
                FormatChoice choice = opened.format();
                out.printf("checkpoint:   %s%n", location);
                out.printf("format:       %s (plugin %s) — %s%n", choice.format().name(), choice.pluginName(),
                        choice.detection());
                out.printf("architecture: %s (plugin %s) — %s%n", opened.architecture().architecture().name(),
                        opened.architecture().pluginName(), opened.architecture().architecture().description());
                printSpec(out, opened.spec());
                printTensors(out, opened);
            }
        }
        out.flush();
        return 0;
    }

    private static void printSpec(PrintWriter out, ModelSpec s) {
        out.println();
        out.println("model spec");
        out.printf("  architecture   %s%n", s.architecture());
        out.printf("  hidden size    %d%n", s.hiddenSize());
        out.printf("  layers         %d%n", s.layers());
        out.printf("  heads          %d (kv heads %d, head dim %d)%n", s.heads(), s.kvHeads(), s.headDim());
        out.printf("  ffn size       %d%n", s.ffnSize());
        out.printf("  vocab size     %d%n", s.vocabSize());
        out.printf("  rope           theta %s, scaling %s%n", s.ropeTheta(), describe(s.ropeScaling()));
        out.printf("  norm eps       %s%n", s.normEps());
        out.printf("  tied embedding %s%n", s.tiedEmbeddings());
        out.printf("  max positions  %d%n", s.maxPositions());
        out.printf("  bos / eos      %d / %s%n", s.bosTokenId(), s.eosTokenIds());
        if (s.slidingWindow() > 0) {
            out.printf("  sliding window %d%n", s.slidingWindow());
        }
        s.properties().forEach((property, value) -> out.printf("  %-14s %s%n", property.name(), value));
    }

    private static String describe(RopeScaling scaling) {
        return switch (scaling) {
            case RopeScaling.None none -> "none";
            case RopeScaling.Linear linear -> "linear x" + linear.factor();
            case RopeScaling.Llama3 l3 -> "llama3 x" + l3.factor() + " (low " + l3.lowFreqFactor() + ", high "
                    + l3.highFreqFactor() + ", original context " + l3.originalMaxPositions() + ")";
        };
    }

    private static void printTensors(PrintWriter out, OpenedCheckpoint opened) {
        List<TensorInfo> tensors = opened.checkpoint().tensors().list();
        int nameWidth = Math.max(4, tensors.stream().mapToInt(t -> t.name().length()).max().orElse(4));
        long total = 0;
        out.println();
        out.printf("tensors (%d)%n", tensors.size());
        out.printf("  %-" + nameWidth + "s  %-5s  %-16s  %12s  %s%n", "name", "dtype", "shape", "bytes", "canonical");
        for (TensorInfo t : tensors) {
            total += t.byteSize();
            out.printf("  %-" + nameWidth + "s  %-5s  %-16s  %12d  %s%n", t.name(), t.dtype(), t.shape(), t.byteSize(),
                    describe(opened.mapper().map(t)));
        }
        out.printf("  total %d bytes (%.2f MB)%n", total, total / 1e6);
    }

    private static String describe(TensorMapping mapping) {
        return switch (mapping) {
            case TensorMapping.Mapped m -> m.targets().stream()
                    .map(t -> t.canonicalName() + (t.ops().isEmpty() ? "" : " " + t.ops()))
                    .collect(Collectors.joining(", "));
            case TensorMapping.Skipped s -> "(skipped: " + s.reason() + ")";
            case TensorMapping.Unknown u -> "(unknown: " + u.hint() + ")";
        };
    }
}
