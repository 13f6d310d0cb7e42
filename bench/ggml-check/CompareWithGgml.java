import dev.ingot.engine.tensor.quant.Dequantizer;
import dev.ingot.spi.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** args: FILE.gguf GGML.f32 MANIFEST: Ingot's Dequantizer against ggml's to_float, bit for bit, per tensor. */
public class CompareWithGgml {
    public static void main(String[] args) throws Exception {
        var F32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        try (Arena arena = Arena.ofConfined();
             FileChannel gguf = FileChannel.open(Path.of(args[0]));
             FileChannel ref = FileChannel.open(Path.of(args[1]))) {
            MemorySegment file = gguf.map(FileChannel.MapMode.READ_ONLY, 0, gguf.size(), arena);
            MemorySegment ggml = ref.map(FileChannel.MapMode.READ_ONLY, 0, ref.size(), arena);
            long at = 0;
            long total = 0;
            long differ = 0;
            for (String line : Files.readAllLines(Path.of(args[2]))) {
                String[] f = line.split(" ");
                DType type = DType.valueOf(f[1].toUpperCase(Locale.ROOT));
                long n = Long.parseLong(f[3]);
                MemorySegment ours = arena.allocate(n * 4, 64);
                Dequantizer.toF32(file.asSlice(Long.parseLong(f[2]), type.bytesFor(n)), type, ours, n);
                long bad = 0;
                for (long i = 0; i < n; i++) {
                    if (ours.getAtIndex(F32, i) != ggml.get(F32, (at + i) * 4)) bad++;
                }
                at += n;
                total += n;
                differ += bad;
                if (bad > 0) System.out.println(f[0] + " " + type + ": " + bad + " of " + n + " differ");
            }
            System.out.println(args[0] + ": " + total + " weights compared, " + differ + " differ in any bit");
        }
    }
}
