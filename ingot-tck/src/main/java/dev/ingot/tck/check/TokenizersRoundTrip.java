package dev.ingot.tck.check;

import dev.ingot.engine.load.OpenedCheckpoint;
import dev.ingot.engine.plugin.TokenizerChoice;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.Detection;
import dev.ingot.spi.tokenizer.Tokenizer;
import dev.ingot.tck.Outcome;
import dev.ingot.tck.Rule;
import dev.ingot.tck.Sample;
import dev.ingot.tck.Skip;
import dev.ingot.tck.TckContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CONS-3: every tokenizer the plugin gives — one shipped inside a sample, or one of its providers
 * opening a tokenizer file in or beside a sample — encodes the sample text and decodes it back.
 */
public final class TokenizersRoundTrip implements Check {

    static final String TEXT = "Once upon a time, there was a little girl named Lily. She liked to play outside!";

    @Override
    public Rule rule() {
        return Rule.CONS_3;
    }

    @Override
    public Outcome run(TckContext ctx) throws Exception {
        ctx.requirePassed(Rule.OPEN_1);
        List<String> problems = new ArrayList<>();
        List<String> passed = new ArrayList<>();
        for (Sample sample : ctx.samples()) {
            try (OpenedCheckpoint opened = ctx.open(sample)) {
                Optional<Tokenizer> own = opened.checkpoint().tokenizer();
                if (own.isPresent()) {
                    check("the tokenizer shipped in sample " + sample, own.get(), problems, passed);
                }
            } catch (IOException e) {
                problems.add("sample " + sample + ": its tokenizer does not open: " + e.getMessage());
            }
            for (TokenizerChoice provider : ctx.tokenizers()) {
                for (Path file : candidates(sample.path())) {
                    Detection d = detect(ctx, provider, file, problems);
                    if (d == null || d.tier().compareTo(Detection.Tier.LAYOUT) < 0) {
                        continue;
                    }
                    try {
                        Tokenizer t = ctx.host().openTokenizer(provider, file);
                        check("tokenizer '" + provider.provider().name() + "' on " + file.getFileName(), t, problems, passed);
                    } catch (CheckpointException e) {
                        problems.add("tokenizer '" + provider.provider().name() + "' claims " + file + " (" + d
                                + ") but does not open it: " + e.getMessage());
                    }
                }
            }
        }
        if (problems.isEmpty() && passed.isEmpty()) {
            throw new Skip("no tokenizer in or beside the samples");
        }
        return problems.isEmpty() ? Check.pass(String.join("\n", passed))
                : Check.failAll("a tokenizer does not give the text back:", problems);
    }

    private static Detection detect(TckContext ctx, TokenizerChoice provider, Path file, List<String> problems) {
        try {
            return provider.provider().detect(file, ctx.host().services());
        } catch (IOException | RuntimeException e) {
            problems.add("tokenizer '" + provider.provider().name() + "' failed to detect " + file + ": " + e);
            return null;
        }
    }

    private static void check(String what, Tokenizer tokenizer, List<String> problems, List<String> passed) {
        try {
            int[] tokens = tokenizer.encode(TEXT);
            String back = tokenizer.decode(tokenizer.addsBos() ? tokenizer.bosId() : -1, tokens);
            // SentencePiece's dummy prefix may come back as one leading space when nothing strips it.
            if (back.equals(TEXT) || back.equals(" " + TEXT)) {
                passed.add(what + ": " + tokens.length + " tokens, decoded back to the text");
            } else {
                problems.add(what + ": encoded into " + tokens.length + " tokens, decoded as \"" + back + "\"");
            }
        } catch (RuntimeException e) {
            problems.add(what + " failed: " + e);
        }
    }

    /** Files in a sample folder, or beside a sample file. */
    private static List<Path> candidates(Path sample) throws IOException {
        Path folder = Files.isDirectory(sample) ? sample : sample.toAbsolutePath().getParent();
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.equals(sample)).sorted().toList();
        }
    }
}
