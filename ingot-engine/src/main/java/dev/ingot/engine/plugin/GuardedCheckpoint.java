package dev.ingot.engine.plugin;

import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Checkpoint;
import dev.ingot.spi.model.ModelConfig;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import dev.ingot.spi.tensor.TensorSource;
import dev.ingot.spi.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A plugin's checkpoint whose every call runs under the plugin guard, so whatever goes wrong inside
 * it — an exception, a null, a tensor that is not what its listing said — reaches the user as one line
 * naming the plugin, the checkpoint and the tensor.
 */
public final class GuardedCheckpoint implements Checkpoint {

    private final Checkpoint checkpoint;
    private final PluginHost host;
    private final FormatChoice choice;
    private final Path location;
    private volatile GuardedSource tensors;

    GuardedCheckpoint(Checkpoint checkpoint, PluginHost host, FormatChoice choice, Path location) {
        this.checkpoint = checkpoint;
        this.host = host;
        this.choice = choice;
        this.location = location;
    }

    @Override
    public ModelConfig config() throws IOException {
        return host.callFormat(choice, "failed to read the config of " + location, checkpoint::config);
    }

    @Override
    public TensorSource tensors() {
        GuardedSource t = tensors;
        if (t == null) {
            try {
                t = new GuardedSource(host.callFormat(choice, "failed to list the tensors of " + location, checkpoint::tensors));
            } catch (CheckpointException e) {
                throw new PluginFailureException(e.getMessage(), e);
            }
            tensors = t;
        }
        return t;
    }

    @Override
    public Optional<Tokenizer> tokenizer() throws IOException {
        Optional<Tokenizer> tokenizer = host.callFormat(choice, "failed to open the tokenizer of " + location, checkpoint::tokenizer);
        return tokenizer.map(t -> host.guardTokenizer(t, choice.pluginName()));
    }

    @Override
    public void close() throws IOException {
        host.callFormat(choice, "failed to close " + location, () -> {
            checkpoint.close();
            return Boolean.TRUE;
        });
    }

    private final class GuardedSource implements TensorSource {
        private final TensorSource source;
        private final List<TensorInfo> list;

        GuardedSource(TensorSource source) throws CheckpointException {
            this.source = source;
            this.list = List.copyOf(host.callFormat(choice, "failed to list the tensors of " + location, source::list));
        }

        @Override
        public List<TensorInfo> list() {
            return list;
        }

        @Override
        public Optional<TensorInfo> info(String name) {
            return list.stream().filter(t -> t.name().equals(name)).findFirst();
        }

        @Override
        public Tensor read(String name) throws IOException {
            Tensor tensor = host.callFormat(choice, "failed while reading tensor '" + name + "' of " + location,
                    () -> source.read(name));
            Optional<TensorInfo> listed = info(name);
            if (listed.isPresent() && !listed.get().equals(tensor.info())) {
                throw new CheckpointException(host.label(choice.pluginName()) + " returned " + tensor.info() + " for tensor '"
                        + name + "' of " + location + ", but listed it as " + listed.get());
            }
            return tensor;
        }

        @Override
        public void close() throws IOException {
            host.callFormat(choice, "failed to close the tensors of " + location, () -> {
                source.close();
                return Boolean.TRUE;
            });
        }
    }
}
