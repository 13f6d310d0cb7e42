package dev.ingot.actor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.spi.tensor.DType;
import dev.ingot.spi.tensor.Tensor;
import dev.ingot.spi.tensor.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blob a bucket travels as, checked by Python's standard library reading it per the safetensors spec. */
class BucketBlobTest {

    @TempDir
    Path dir;

    /** Collects what the publisher emits, asking for one buffer at a time as an HTTP client would. */
    private static byte[] published(BucketBlob blob) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BufferPublisher(blob.buffers()).subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] b = new byte[item.remaining()];
                item.get(b);
                out.writeBytes(b);
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                throw new AssertionError(t);
            }

            @Override
            public void onComplete() {}
        });
        return out.toByteArray();
    }

    @Test
    void isASafetensorsBlobWithZlibCompatibleChecksums() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment big = arena.allocate(3L << 20);
            for (long i = 0; i < big.byteSize(); i++) {
                big.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
            }
            MemorySegment small = arena.allocate(6);
            small.copyFrom(MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5, 6}));
            BucketBlob blob = new BucketBlob(List.of(new Tensor(TensorInfo.of("w.big", DType.U8, 3, 1 << 20), big),
                    new Tensor(TensorInfo.of("b", DType.F16, 3), small)), true);
            byte[] bytes = published(blob);
            assertThat((long) bytes.length).isEqualTo(blob.byteSize());
            assertThat(blob.dataBytes()).isEqualTo((3L << 20) + 6);
            Path file = dir.resolve("bucket.safetensors");
            Files.write(file, bytes);
            String check = """
                    import json, struct, sys, zlib
                    data = open(sys.argv[1], 'rb').read()
                    (n,) = struct.unpack('<Q', data[:8])
                    assert n % 8 == 0, n
                    header = json.loads(data[8:8 + n])
                    body = data[8 + n:]
                    meta = header.pop('__metadata__')
                    for name, t in sorted(header.items()):
                        b, e = t['data_offsets']
                        assert meta['crc32:' + name] == f'{zlib.crc32(body[b:e]):08x}', name
                        print(name, t['dtype'], t['shape'], e - b)
                    assert max(t['data_offsets'][1] for t in header.values()) == len(body)
                    """;
            Process p = new ProcessBuilder("python3", "-c", check, file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).isEqualTo("b F16 [3] 6\nw.big U8 [3, 1048576] 3145728\n");
        }
    }

    @Test
    void theChecksumIsTheStandardCrc32() {
        // The CRC-32 check value of "123456789" is 0xcbf43926 in every description of the algorithm.
        assertThat(BucketBlob.crc32(MemorySegment.ofArray("123456789".getBytes()))).isEqualTo("cbf43926");
    }
}
