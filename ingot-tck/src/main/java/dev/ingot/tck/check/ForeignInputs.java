package dev.ingot.tck.check;

import dev.ingot.engine.load.CheckpointPipeline;
import dev.ingot.engine.model.ModelDefinition;
import dev.ingot.engine.plugin.ArchitectureChoice;
import dev.ingot.engine.plugin.WriterChoice;
import dev.ingot.spi.model.ModelSpec;
import dev.ingot.tck.Sample;
import dev.ingot.tck.TckContext;
import dev.ingot.tck.support.Files2;
import dev.ingot.tck.support.RandomWeights;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Inputs a format's {@code detect} meets that are not its checkpoints: empty, random and text files,
 * folders, links, unreadable files, another format's checkpoint (the built-in hf format's, plus any
 * the author adds), and damaged copies of the plugin's own samples. Built once per run.
 *
 * @param label what the input is, for messages
 * @param own   true for damaged copies of the plugin's own samples: detect may claim those (weakly)
 */
record ForeignInputs(List<Input> inputs) {

    record Input(String label, Path path, boolean own) {}

    static ForeignInputs of(TckContext ctx) {
        return ctx.shared("foreign-inputs", () -> {
            try {
                return build(ctx);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot build the foreign inputs in " + ctx.work(), e);
            }
        });
    }

    private static ForeignInputs build(TckContext ctx) throws IOException {
        Path dir = Files.createDirectories(ctx.work().resolve("foreign"));
        List<Input> inputs = new ArrayList<>();
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        inputs.add(new Input("an empty file", empty, false));
        byte[] noise = new byte[4096];
        new SplittableRandom(7).nextBytes(noise);
        Path random = Files.write(dir.resolve("random.bin"), noise);
        inputs.add(new Input("a file of random bytes", random, false));
        inputs.add(new Input("a text file", Files.writeString(dir.resolve("notes.txt"), "not a checkpoint\n"), false));
        inputs.add(new Input("a JSON file", Files.writeString(dir.resolve("other.json"), "{\"hello\": [1, 2, 3]}"), false));
        inputs.add(new Input("an empty folder", Files.createDirectories(dir.resolve("empty-folder")), false));
        Path folder = Files.createDirectories(dir.resolve("unrelated-folder"));
        Files.writeString(folder.resolve("README.md"), "# nothing here\n");
        Files.write(folder.resolve("data.bin"), noise);
        inputs.add(new Input("a folder of unrelated files", folder, false));
        inputs.add(new Input("a dangling symbolic link", link(dir.resolve("dangling"), dir.resolve("missing")), false));
        inputs.add(new Input("a link to a file of random bytes", link(dir.resolve("link-to-random"), random), false));
        inputs.add(new Input("a link to a folder", link(dir.resolve("link-to-folder"), folder), false));
        Path locked = Files.write(dir.resolve("locked.bin"), noise);
        locked.toFile().setReadable(false, false);
        inputs.add(new Input("an unreadable file", locked, false));
        Path lockedFolder = Files.createDirectories(dir.resolve("locked-folder"));
        Files.write(lockedFolder.resolve("data.bin"), noise);
        lockedFolder.toFile().setReadable(false, false);
        lockedFolder.toFile().setExecutable(false, false);
        inputs.add(new Input("an unreadable folder", lockedFolder, false));
        hfCheckpoint(ctx, dir.resolve("hf-checkpoint")).ifPresent(p -> inputs.add(new Input("an hf checkpoint", p, false)));
        for (Path other : ctx.foreignSamples()) {
            inputs.add(new Input("foreign sample " + other.getFileName(), other, false));
        }
        for (Sample sample : ctx.samples()) {
            inputs.addAll(damagedCopies(sample, dir));
        }
        return new ForeignInputs(List.copyOf(inputs));
    }

    /** The sample's largest file cut to nothing, to 16 bytes and in half: detect must answer, not throw. */
    private static List<Input> damagedCopies(Sample sample, Path dir) throws IOException {
        List<Input> out = new ArrayList<>();
        long[] lengths = {0, 16, -1};
        String[] names = {"emptied", "cut to 16 bytes", "cut in half"};
        for (int i = 0; i < lengths.length; i++) {
            Path copy = dir.resolve("own-" + sample + "-" + i).resolve(sample.path().getFileName().toString());
            Files2.copy(sample.path(), copy);
            Path largest = Files2.filesBySize(copy).getFirst();
            long length = lengths[i] >= 0 ? Math.min(lengths[i], Files.size(largest)) : Files.size(largest) / 2;
            try (RandomAccessFile file = new RandomAccessFile(largest.toFile(), "rw")) {
                file.setLength(length);
            }
            out.add(new Input("sample " + sample + " with " + largest.getFileName() + " " + names[i], copy, true));
        }
        return out;
    }

    /** A tiny random Llama written by the engine's own hf writer: the format every plugin sits beside. */
    private static java.util.Optional<Path> hfCheckpoint(TckContext ctx, Path where) {
        try (Arena arena = Arena.ofConfined()) {
            WriterChoice writer = ctx.host().writer("hf");
            ArchitectureChoice llama = ctx.host().architecture("llama");
            ModelSpec spec = ModelSpec.builder().architecture("llama").hiddenSize(16).layers(1).heads(2).kvHeads(1)
                    .ffnSize(24).vocabSize(32).maxPositions(32).bosTokenId(1).eosTokenId(2).build();
            ModelDefinition model = CheckpointPipeline.define(ctx.host(), llama, spec);
            writer.writer().write(where, spec, llama.architecture().describe(spec),
                    RandomWeights.of(model.weights().values(), 3, arena));
            return java.util.Optional.of(where);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty(); // a plugin that took the names hf or llama: LOAD-4 says so
        }
    }

    private static Path link(Path link, Path target) throws IOException {
        try {
            return Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | IOException e) {
            return Files.writeString(link, "links are not supported here");
        }
    }
}
