package dev.ingot.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts another JVM like this one: the same {@code java} binary, the same options this JVM was
 * started with ({@code --add-modules jdk.incubator.vector}, {@code -Xmx}, {@code INGOT_JAVA_OPTS}, ...) and the same
 * class path, running another main class. A measurement made in such a child sees a JIT that no earlier
 * measurement has trained, as a fresh {@code llama-bench} process does.
 */
public final class ChildJvm {

    private ChildJvm() {}

    public static List<String> command(Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(args);
        return command;
    }

    /** This JVM's own options, as a child gets them: printed once so a table says how it was measured. */
    public static String options() {
        return String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments());
    }
}
