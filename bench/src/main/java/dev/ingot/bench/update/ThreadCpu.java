package dev.ingot.bench.update;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of this process split by who spent it, read from {@code /proc/self/task/* /stat} (Linux; empty
 * elsewhere): the pushing side (the actor's bucket threads and its {@code HttpClient}, the tcp client's threads), the JVM itself (JIT
 * compilers, GC, VM thread) and the rest, which during a push is the receiving server (Jetty's selectors,
 * the carriers of its virtual-thread handlers). Client and server share one process in the benchmark; this
 * tells their costs apart. Threads that ended between two samples drop out, so compare samples taken
 * around work whose threads outlive it (the pusher's pool and Jetty's do).
 */
final class ThreadCpu {

    enum Side { CLIENT, SERVER, JVM }

    /** CPU seconds in user space and in the kernel. */
    record Spent(double user, double kernel) {

        static final Spent NONE = new Spent(0, 0);

        Spent plus(Spent other) {
            return new Spent(user + other.user, kernel + other.kernel);
        }

        Spent minus(Spent other) {
            return new Spent(user - other.user, kernel - other.kernel);
        }

        Spent per(double gigabytes) {
            return new Spent(user / gigabytes, kernel / gigabytes);
        }

        double total() {
            return user + kernel;
        }
    }

    /** Clock ticks per second of {@code utime}/{@code stime}: 100 on every Linux configuration in use. */
    private static final double TICKS_PER_SECOND = 100;

    private ThreadCpu() {}

    /** Seconds of CPU (user and kernel) each side has spent so far. */
    static Map<Side, Spent> sample() {
        Map<Side, Spent> seconds = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            seconds.put(side, Spent.NONE);
        }
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return seconds;
        }
        try (Stream<Path> all = Files.list(tasks)) {
            all.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // "pid (comm) state ...": comm may hold spaces and parentheses, so split after the last ')'
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(open + 1, close);
                    String[] fields = stat.substring(close + 2).split(" ");
                    Spent spent = new Spent(Long.parseLong(fields[11]) / TICKS_PER_SECOND, // utime
                            Long.parseLong(fields[12]) / TICKS_PER_SECOND); // stime
                    seconds.merge(side(comm), spent, Spent::plus);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we looked
                }
            });
        } catch (IOException e) {
            return seconds;
        }
        return seconds;
    }

    /** CPU seconds per GB of {@code bytes} each side spent between two samples. */
    static Map<Side, Spent> perGigabyte(Map<Side, Spent> before, Map<Side, Spent> after, long bytes) {
        Map<Side, Spent> out = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            out.put(side, after.get(side).minus(before.get(side)).per(bytes / 1e9));
        }
        return out;
    }

    private static Side side(String comm) {
        if (comm.startsWith("ingot-bucket") || comm.startsWith("HttpClient") || comm.startsWith("ingot-tcp-push")) {
            return Side.CLIENT;
        }
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") || comm.startsWith("GC Thread")
                || comm.startsWith("VM ") || comm.startsWith("ParGC") || comm.startsWith("G1 ")) {
            return Side.JVM;
        }
        return Side.SERVER;
    }
}
