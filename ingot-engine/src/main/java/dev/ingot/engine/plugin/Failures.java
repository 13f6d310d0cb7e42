package dev.ingot.engine.plugin;

import dev.ingot.spi.IngotPlugin;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ServiceConfigurationError;

/**
 * Says in one line what went wrong inside plugin code. Reflection and service loading wrap the real
 * failure in layers ({@link ServiceConfigurationError}, {@link InvocationTargetException},
 * {@link ExceptionInInitializerError}); users need the innermost one, and for a missing class a hint
 * about what the plugin may see.
 */
final class Failures {

    private static final String SERVICE_PREFIX = IngotPlugin.class.getName() + ": ";

    private Failures() {}

    static String describe(Throwable failure) {
        Throwable root = unwrap(failure);
        if (root instanceof NoClassDefFoundError || root instanceof ClassNotFoundException) {
            String message = root.getMessage() == null ? "" : root.getMessage();
            if (!message.startsWith("Could not initialize")) {
                return missingClass(message.replace('/', '.'));
            }
        }
        String message = root.getMessage();
        if (root instanceof ServiceConfigurationError && message != null && message.startsWith(SERVICE_PREFIX)) {
            return message.substring(SERVICE_PREFIX.length());
        }
        return message == null || message.isBlank() ? root.getClass().getName() : root.getClass().getName() + ": " + message;
    }

    /** The innermost failure worth showing: wrappers that add nothing for a user are peeled off. */
    static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while (current.getCause() != null && current.getCause() != current && isWrapper(current)) {
            current = current.getCause();
        }
        return current;
    }

    private static boolean isWrapper(Throwable t) {
        return t instanceof ServiceConfigurationError || t instanceof InvocationTargetException
                || t instanceof ExceptionInInitializerError || t instanceof UndeclaredThrowableException;
    }

    private static String missingClass(String className) {
        if (className.startsWith("dev.ingot.") && !className.startsWith(IngotPlugin.class.getPackageName() + ".")) {
            return "class " + className + " is not visible to plugins: a plugin may use only dev.ingot.spi and the JDK";
        }
        return "class " + className + " is missing: the plugin needs a jar it does not bring"
                + " (put the plugin jar and its dependency jars together in one sub-folder of the plugin path)";
    }
}
