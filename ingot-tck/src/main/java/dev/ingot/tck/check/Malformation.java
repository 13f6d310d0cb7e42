package dev.ingot.tck.check;

import dev.ingot.tck.Sample;
import dev.ingot.tck.support.Files2;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A malformed copy of a sample, generated without knowing its format: its largest file truncated, or
 * its header lying about sizes and shapes. The header is the sample's smallest JSON file (a manifest,
 * a config) when it has one, else the first bytes of its largest file (where binary formats keep
 * their counts and dimensions, after a 4-byte magic).
 *
 * @param kind       what was done, for messages
 * @param location   the variant, under the same file name as the sample
 * @param changed    the file that was changed
 * @param mustFail   true for truncations: loading them without an error would invent data
 */
record Malformation(String kind, Path location, Path changed, boolean mustFail) {

    /** Integers in JSON: after ':' '[' ',' or a space and before ',' ']' '}' or a space — never inside a name like "blk.0". */
    private static final Pattern JSON_INTEGER = Pattern.compile("(?<=[:\\[,\\s])(\\d+)(?=[,\\]}\\s])");

    static List<Malformation> of(Sample sample, Path dir) throws IOException {
        List<Malformation> out = new ArrayList<>();
        out.add(truncated(sample, dir, "truncated to half", size -> size / 2));
        out.add(truncated(sample, dir, "truncated to its first 16 bytes", size -> Math.min(16, size)));
        out.add(header(sample, dir, "lying header: sizes x1000", n -> n * 1000, 4, v -> 0x7FFFFFF0L));
        out.add(header(sample, dir, "wrong shapes: dimensions +1", n -> n + 1, 8, v -> v + 1));
        return out;
    }

    private static Malformation truncated(Sample sample, Path dir, String kind, LongUnaryOperator length) throws IOException {
        Path copy = copy(sample, dir, kind);
        Path largest = Files2.filesBySize(copy).getFirst();
        try (RandomAccessFile file = new RandomAccessFile(largest.toFile(), "rw")) {
            file.setLength(length.applyAsLong(file.length()));
        }
        return new Malformation(kind + " (" + copy.getParent().relativize(largest) + ")", copy, largest, true);
    }

    private static Malformation header(Sample sample, Path dir, String kind, LongUnaryOperator jsonChange, int binaryOffset,
            LongUnaryOperator binaryChange) throws IOException {
        Path copy = copy(sample, dir, kind);
        List<Path> files = Files2.filesBySize(copy);
        Path json = null;
        for (Path f : files.reversed()) {
            if (looksLikeJson(f)) {
                json = f;
                break;
            }
        }
        Path changed;
        if (json != null) {
            String text = Files.readString(json);
            Matcher m = JSON_INTEGER.matcher(text);
            // 0 and 1 are left alone: they are flags, versions and token ids more often than sizes.
            Files.writeString(json, m.replaceAll(r -> {
                long n = Long.parseLong(r.group(1));
                return Long.toString(n > 1 ? jsonChange.applyAsLong(n) : n);
            }));
            changed = json;
        } else {
            changed = files.getFirst();
            try (RandomAccessFile file = new RandomAccessFile(changed.toFile(), "rw")) {
                if (file.length() >= binaryOffset + 4) {
                    byte[] word = new byte[4];
                    file.seek(binaryOffset);
                    file.readFully(word);
                    long value = Integer.toUnsignedLong(ByteBuffer.wrap(word).order(ByteOrder.LITTLE_ENDIAN).getInt());
                    ByteBuffer.wrap(word).order(ByteOrder.LITTLE_ENDIAN).putInt((int) binaryChange.applyAsLong(value));
                    file.seek(binaryOffset);
                    file.write(word);
                }
            }
        }
        return new Malformation(kind + " (" + copy.getParent().relativize(changed) + ")", copy, changed, false);
    }

    private static boolean looksLikeJson(Path file) {
        try {
            if (Files.size(file) > 16 << 20) {
                return false;
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).stripLeading();
            return text.startsWith("{");
        } catch (IOException e) {
            return false;
        }
    }

    private static Path copy(Sample sample, Path dir, String kind) throws IOException {
        Path copy = dir.resolve(sample + "-" + kind.replaceAll("[^A-Za-z0-9]+", "-")).resolve(sample.path().getFileName().toString());
        Files2.copy(sample.path(), copy);
        return copy;
    }

    /** True when a message names the variant or the file that was changed. */
    boolean named(String message) {
        return message.contains(location.getFileName().toString()) || message.contains(changed.getFileName().toString());
    }
}
