package dev.ingot.engine.plugin;

import dev.ingot.spi.CheckpointException;
import java.io.IOException;
import java.util.ServiceConfigurationError;

/**
 * Runs plugin code with the plugin's class loader as the thread's context loader (libraries inside a
 * plugin often look there) and turns whatever plugin code throws by mistake into a {@link PluginFault},
 * so no caller ever lets a stray {@link RuntimeException} or {@link LinkageError} escape with a bare
 * stack trace. {@link CheckpointException}s pass through: they are the plugin's message to the user.
 * <p>
 * {@link OutOfMemoryError} and {@link StackOverflowError} thrown while plugin code runs are caught too
 * and reported as that plugin's failure. This is a deliberate choice: the allocation (or recursion)
 * that failed was the plugin's, typically sized by a hostile or damaged file, and once the stack has
 * unwound out of the plugin what it allocated is garbage, so the engine can go on serving. Other
 * {@link VirtualMachineError}s ({@code InternalError}, {@code UnknownError}) still escape.
 */
final class PluginGuard {

    private PluginGuard() {}

    /** What plugin code threw, other than a {@link CheckpointException}. */
    static final class PluginFault extends Exception {
        PluginFault(Throwable cause) {
            super(Failures.describe(cause), cause);
        }

        PluginFault(String message) {
            super(message);
        }
    }

    static <T> T call(ClassLoader pluginLoader, PluginCode<T> code) throws CheckpointException, PluginFault {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(pluginLoader);
        try {
            T result = code.run();
            if (result == null) {
                throw new PluginFault("returned null");
            }
            return result;
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException | LinkageError | AssertionError | StackOverflowError
                | ServiceConfigurationError e) {
            throw new PluginFault(e);
        } catch (OutOfMemoryError e) {
            throw new PluginFault("ran out of memory (" + e.getMessage() + ")");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Like {@link #call} for code that has no user message to give: a CheckpointException is a fault too. */
    static <T> T callQuietly(ClassLoader pluginLoader, PluginCode<T> code) throws PluginFault {
        try {
            return call(pluginLoader, code);
        } catch (CheckpointException e) {
            throw new PluginFault(e);
        }
    }
}
