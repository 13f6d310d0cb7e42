package dev.ingot.tck.support;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Finds references to engine classes in a plugin's class files by reading their constant pools. A
 * reference only fails when the code that holds it first runs — maybe in production, on a path the
 * author's tests never took — so the kit looks at the bytes instead of waiting for the LinkageError.
 */
public final class ClassScan {

    /** Packages a plugin cannot see at run time (§4). */
    private static final List<String> FORBIDDEN = List.of("dev/ingot/engine/", "dev/ingot/server/", "dev/ingot/tck/");

    private ClassScan() {}

    /** One class file that names an engine class. */
    public record Leak(Path jar, String classFile, String referenced) {
        @Override
        public String toString() {
            return classFile + " (in " + jar.getFileName() + ") references " + referenced.replace('/', '.');
        }
    }

    /** Every class file in {@code jar} that references a forbidden package, with the first class it names. */
    public static List<Leak> leaks(Path jar) throws IOException {
        List<Leak> leaks = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (!entry.getName().endsWith(".class") || entry.getName().startsWith("META-INF/")) {
                    continue;
                }
                byte[] bytes = file.getInputStream(entry).readAllBytes();
                TreeSet<String> referenced = new TreeSet<>();
                for (String utf8 : utf8Constants(bytes)) {
                    for (String pkg : FORBIDDEN) {
                        int at = utf8.indexOf(pkg);
                        if (at >= 0) {
                            referenced.add(className(utf8.substring(at)));
                        }
                    }
                }
                if (!referenced.isEmpty()) {
                    leaks.add(new Leak(jar, entry.getName(), referenced.first()));
                }
            }
        }
        return leaks;
    }

    /** Class files of the SPI itself inside the jar (the engine's copy is used; bundling one is a packaging error). */
    public static List<String> bundledSpi(Path jar) throws IOException {
        List<String> found = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(JarEntry::getName).filter(n -> n.startsWith("dev/ingot/spi/") && n.endsWith(".class"))
                    .findFirst().ifPresent(found::add);
        }
        return found;
    }

    /** {@code dev/ingot/engine/X;Ljava/...} → {@code dev/ingot/engine/X}. */
    private static String className(String from) {
        int end = 0;
        while (end < from.length() && (Character.isJavaIdentifierPart(from.charAt(end)) || from.charAt(end) == '/')) {
            end++;
        }
        return from.substring(0, end);
    }

    /** The CONSTANT_Utf8 entries of a class file (JVMS §4.4): class names and descriptors live there. */
    static List<String> utf8Constants(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            return List.of();
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        List<String> strings = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> strings.add(in.readUTF());
                case 3, 4 -> in.skipNBytes(4);
                case 5, 6 -> {
                    in.skipNBytes(8);
                    i++; // longs and doubles take two slots
                }
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                case 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 15 -> in.skipNBytes(3);
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        return strings;
    }
}
