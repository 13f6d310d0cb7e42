package dev.ingot.engine.testing;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every fuzz target asserts about the parser it drives (docs/limits.md, "Fuzzing"): on any input
 * it either succeeds or throws one of the exceptions it documents, with a one-line message, within a
 * time bound. Anything else — another exception, an {@link Error}, a multi-line or empty message, a
 * slow input — is a finding: Jazzer saves the input and the build fails.
 */
public final class FuzzContract {

    /**
     * The CPU time one input may take, counted over every Java thread while it runs (so work a request hands
     * to a server thread counts too): far above any parser's work on a fuzz-sized input, and a quadratic or
     * exponential blow-up still crosses it by orders of magnitude. CPU time, not wall time, because on 2 cores
     * shared with other builds the wall clock of an innocent input stretched past 10 s (load 15), while its
     * CPU time does not grow with the load. Java threads only, not the whole process: the JIT's compiler
     * threads and the collector's are not Java threads, and on a CI machine with many cores they alone burned
     * 600 ms of process CPU during one second of an input that slept.
     */
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    /**
     * A wall-clock bound as a multiple of the CPU deadline, for inputs that hang without using the CPU
     * (a wait that is never signalled); generous, since load stretches the wall clock of every input.
     */
    public static final int HANG_FACTOR = 6;

    private static final Duration POLL = Duration.ofMillis(50);

    /** The code under test, run once per input. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private static ExecutorService worker = newWorker();

    private FuzzContract() {}

    /** Runs {@code body} under the contract with {@link #DEFAULT_DEADLINE}. */
    @SafeVarargs
    public static void check(Body body, Class<? extends Exception>... allowed) {
        check(DEFAULT_DEADLINE, body, allowed);
    }

    /**
     * Runs {@code body} under the contract: it may use {@code deadline} of the JVM's CPU time, and
     * {@link #HANG_FACTOR} times that of wall time.
     */
    @SafeVarargs
    public static void check(Duration deadline, Body body, Class<? extends Exception>... allowed) {
        check(deadline, deadline.multipliedBy(HANG_FACTOR), body, allowed);
    }

    @SafeVarargs
    static void check(Duration deadline, Duration hangAfter, Body body, Class<? extends Exception>... allowed) {
        JavaThreadsCpu cpuClock = JavaThreadsCpu.start();
        long wallStart = System.nanoTime();
        Future<?> run = worker.submit(() -> {
            body.run();
            return null;
        });
        try {
            while (true) {
                try {
                    run.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException stillRunning) {
                    long cpu = cpuClock.elapsedNanos();
                    long wall = System.nanoTime() - wallStart;
                    if (cpu > deadline.toNanos()) {
                        abandon(run, "one input used more than " + deadline.toMillis() + " ms of CPU time (" + millis(wall)
                                + " ms of wall time)");
                    }
                    if (wall > hangAfter.toNanos()) {
                        abandon(run, "one input took longer than " + millis(wall) + " ms of wall time, using only " + millis(cpu)
                                + " ms of CPU time: a hang");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            requireAllowed(e.getCause(), allowed);
        }
    }

    /** Gives up on a slow input: the stuck thread is left behind, and the next input gets a fresh one. */
    private static void abandon(Future<?> run, String finding) {
        run.cancel(true);
        worker.shutdownNow();
        worker = newWorker();
        throw new AssertionError(finding);
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** {@code thrown} must be one of {@code allowed} and carry a one-line message. */
    @SafeVarargs
    public static void requireAllowed(Throwable thrown, Class<? extends Exception>... allowed) {
        if (Arrays.stream(allowed).noneMatch(type -> type.isInstance(thrown))) {
            throw new AssertionError("undocumented failure " + thrown.getClass().getName() + " (allowed: "
                    + Arrays.stream(allowed).map(Class::getSimpleName).toList() + ")", thrown);
        }
        requireOneLine(thrown.getMessage(), thrown);
    }

    /** An error message a user sees: present, not blank, one line. */
    public static void requireOneLine(String message, Throwable context) {
        if (message == null || message.isBlank()) {
            throw new AssertionError("an error without a message", context);
        }
        if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0) {
            throw new AssertionError("an error message of more than one line: " + message, context);
        }
    }

    /** Texts a tokenizer that loaded must encode and decode back without failing. */
    private static final java.util.List<String> TEXTS = java.util.List.of("Once upon a time", " hello  world\n\t1234 ",
            "ünïcödé 日本語 🙂", "<s></s><unk>", "");

    /**
     * A tokenizer that loaded from a fuzzed file is used as a server would use it: encoding must give ids
     * inside its vocabulary, and every id must decode.
     */
    public static void exercise(dev.ingot.spi.tokenizer.Tokenizer tokenizer) {
        int size = tokenizer.vocabSize();
        for (String text : TEXTS) {
            int[] ids = tokenizer.encode(text);
            int previous = tokenizer.bosId();
            for (int id : ids) {
                if (id < 0 || id >= size) {
                    throw new AssertionError("encoding " + text + " gave id " + id + ", outside the vocabulary of " + size);
                }
                tokenizer.decode(previous, id);
                previous = id;
            }
        }
        for (int id = 0; id < Math.min(size, 64); id++) {
            tokenizer.decode(-1, id);
            tokenizer.piece(id);
        }
    }

    /** A scratch folder for targets whose parser reads files, one per JVM. */
    public static java.nio.file.Path scratch(String name) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ingot-fuzz-" + name);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "fuzz-target");
            thread.setDaemon(true);
            return thread;
        });
    }
}
