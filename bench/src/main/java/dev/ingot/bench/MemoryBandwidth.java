package dev.ingot.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Read bandwidth of this machine as plain Java code sees it: the sum of a large off-heap buffer
 * (far bigger than any cache) split into contiguous slices, one per thread. Decoding one token reads
 * every weight once, so this is the ceiling for batch-1 tokens/s; the kernel table reports GB/s as a
 * fraction of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MemoryBandwidth {

    @Param({"1024"})
    public int mebibytes;

    /** Reader threads; 0 means one per available processor. */
    @Param({"0"})
    public int threads;

    private Arena arena;
    private MemorySegment data;
    private ExecutorService readers;
    private int readerCount;

    @Setup(Level.Trial)
    public void setUp() {
        readerCount = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        arena = Arena.ofShared();
        // allocate() zero-fills, which also makes every page resident before the first measurement.
        data = arena.allocate((long) mebibytes << 20, 4096);
        readers = Executors.newFixedThreadPool(readerCount, r -> Thread.ofPlatform().daemon().unstarted(r));
    }

    @Benchmark
    public long read() throws InterruptedException, ExecutionException {
        long slice = data.byteSize() / readerCount & ~31L;
        List<Future<Long>> parts = new ArrayList<>();
        for (int t = 0; t < readerCount; t++) {
            long from = t * slice;
            long to = t == readerCount - 1 ? data.byteSize() & ~31L : from + slice;
            parts.add(readers.submit(() -> sum(data, from, to)));
        }
        long total = 0;
        for (Future<Long> part : parts) {
            total += part.get();
        }
        return total;
    }

    public long bytesPerOp() {
        return (long) mebibytes << 20;
    }

    /** Four independent sums so the loop is limited by loads, not by the latency of one add chain. */
    private static long sum(MemorySegment data, long from, long to) {
        long a = 0, b = 0, c = 0, d = 0;
        for (long i = from; i < to; i += 32) {
            a += data.get(ValueLayout.JAVA_LONG, i);
            b += data.get(ValueLayout.JAVA_LONG, i + 8);
            c += data.get(ValueLayout.JAVA_LONG, i + 16);
            d += data.get(ValueLayout.JAVA_LONG, i + 24);
        }
        return a + b + c + d;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        readers.shutdownNow();
        arena.close();
    }
}
