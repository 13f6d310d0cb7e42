package dev.ingot.server.demo;

import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.format.CheckpointFormat;
import dev.ingot.spi.format.CheckpointWriter;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.engine.builtin.LlamaArchitecture;
import dev.ingot.spi.engine.EngineServices;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.update.CommitResult;
import dev.ingot.spi.update.SwapPolicy;
import dev.ingot.spi.update.UpdateMode;
import dev.ingot.spi.update.UpdateRejectedException;
import dev.ingot.spi.update.UpdateRequest;
import dev.ingot.spi.update.UpdateSession;
import dev.ingot.spi.update.WeightUpdates;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The trainer in the demo. It knows only the plugin API: it writes its weights in the acme format with
 * the format's own writer, opens that folder through the format, and pushes the tensors exactly as acme
 * names and lays them out ({@code blk.0.attn.qkv}, fused and interleaved) into an update session. The
 * engine maps them with the same mapper it loaded the checkpoint with.
 */
final class DemoActor {

    private final WeightUpdates engine;
    private final CheckpointFormat format;
    private final EngineServices services;
    private final CheckpointWriter writer;
    private final ModelSpec spec;
    private final Path workFolder;

    DemoActor(WeightUpdates engine, CheckpointFormat format, EngineServices services, ModelSpec spec, Path workFolder) {
        this.engine = engine;
        this.services = services;
        this.format = format;
        this.writer = format.writer().orElseThrow(() -> new IllegalStateException(
                "format '" + format.name() + "' cannot write checkpoints, so the actor cannot produce its tensors"));
        this.spec = spec;
        this.workFolder = workFolder;
    }

    /**
     * Pushes the native tensors {@code selected} picks from {@code canonical} written in acme form, after
     * {@code tamper} has had its way with them (identity for an honest update).
     */
    UpdateOutcome push(long version, UpdateMode mode, String label, Map<String, Tensor> canonical,
            Predicate<String> selected, UnaryOperator<List<Tensor>> tamper) throws IOException {
        UpdateRequest request = new UpdateRequest(version, mode, format.name(), label, SwapPolicy.FINISH, false);
        Path folder = workFolder.resolve("update-v" + version + "-" + mode.name().toLowerCase(java.util.Locale.ROOT));
        writer.write(folder, spec, LlamaArchitecture.llama().describe(spec), canonical);
        try (Checkpoint written = format.open(folder, services)) {
            List<Tensor> tensors = tamper.apply(nativeTensors(written.tensors(), selected));
            long start = System.nanoTime();
            int sent = 0;
            try (UpdateSession session = engine.begin(request)) {
                for (Tensor tensor : tensors) {
                    session.put(tensor);
                    sent++;
                }
                CommitResult result = session.commit();
                return new UpdateOutcome.Committed(request, sent, System.nanoTime() - start, result);
            } catch (UpdateRejectedException e) {
                return new UpdateOutcome.Refused(request, sent, e.getMessage());
            }
        }
    }

    private static List<Tensor> nativeTensors(TensorSource source, Predicate<String> selected) throws IOException {
        List<Tensor> out = new ArrayList<>();
        for (TensorInfo info : source.list()) {
            if (selected.test(info.name())) {
                out.add(source.read(info.name()));
            }
        }
        return out;
    }
}
