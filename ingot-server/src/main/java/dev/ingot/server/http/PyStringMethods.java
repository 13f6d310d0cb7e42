package dev.ingot.server.http;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;
import jinjava.javax.el.ELResolver;

/**
 * Python's {@code str} methods that chat templates call ({@code content.startswith('<tool_response>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}...), which Java's String lacks or spells differently.
 * Consulted before Jinjava's own resolvers; anything else is left to them.
 */
final class PyStringMethods extends ELResolver {

    private static final Set<String> METHODS = Set.of(
            "startswith", "endswith", "strip", "lstrip", "rstrip", "split", "upper", "lower", "replace", "join", "title");

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String text) || !(method instanceof String name) || !METHODS.contains(name)) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        Object result = switch (name) {
            case "startswith" -> anyAffix(text, args, name, true);
            case "endswith" -> anyAffix(text, args, name, false);
            case "strip" -> stripEnd(stripStart(text, chars(args, name)), chars(args, name));
            case "lstrip" -> stripStart(text, chars(args, name));
            case "rstrip" -> stripEnd(text, chars(args, name));
            case "split" -> split(text, args);
            case "upper" -> text.toUpperCase(Locale.ROOT);
            case "lower" -> text.toLowerCase(Locale.ROOT);
            case "replace" -> text.replace(string(args, 0, name), string(args, 1, name));
            case "join" -> join(text, args);
            case "title" -> title(text);
            default -> throw new IllegalStateException(name);
        };
        context.setPropertyResolved(true);
        return result;
    }

    /** {@code startswith}/{@code endswith} take one affix or a list (tuple) of them. */
    private static boolean anyAffix(String text, Object[] args, String name, boolean start) {
        Object arg = args.length == 1 ? args[0] : null;
        List<?> affixes = arg instanceof List<?> list ? list : Collections.singletonList(string(args, 0, name));
        for (Object affix : affixes) {
            String a = String.valueOf(affix);
            if (start ? text.startsWith(a) : text.endsWith(a)) {
                return true;
            }
        }
        return false;
    }

    /** The characters to strip; null (Python's default) means whitespace. */
    private static String chars(Object[] args, String name) {
        if (args.length == 0 || args[0] == null) {
            return null;
        }
        return string(args, 0, name);
    }

    private static boolean strippable(int c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    private static String stripStart(String text, String chars) {
        int from = 0;
        while (from < text.length() && strippable(text.charAt(from), chars)) {
            from++;
        }
        return text.substring(from);
    }

    private static String stripEnd(String text, String chars) {
        int to = text.length();
        while (to > 0 && strippable(text.charAt(to - 1), chars)) {
            to--;
        }
        return text.substring(0, to);
    }

    /** {@code split(sep)} keeps empty pieces; {@code split()} splits on runs of whitespace and drops them. */
    private static List<String> split(String text, Object[] args) {
        String separator = args.length == 0 || args[0] == null ? null : String.valueOf(args[0]);
        int maxSplit = args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1;
        List<String> out = new ArrayList<>();
        if (separator == null) {
            for (String piece : text.strip().split("\\s+", maxSplit < 0 ? 0 : maxSplit + 1)) {
                if (!piece.isEmpty()) {
                    out.add(piece);
                }
            }
            return out;
        }
        if (separator.isEmpty()) {
            throw new ELException("split(): empty separator");
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || out.size() < maxSplit) && (at = text.indexOf(separator, from)) >= 0) {
            out.add(text.substring(from, at));
            from = at + separator.length();
        }
        out.add(text.substring(from));
        return out;
    }

    private static String join(String separator, Object[] args) {
        if (args.length != 1 || !(args[0] instanceof Iterable<?> items)) {
            throw new ELException("join() takes one list");
        }
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(separator);
            }
            out.append(item);
            first = false;
        }
        return out.toString();
    }

    private static String title(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(inWord ? Character.toLowerCase(c) : Character.toTitleCase(c));
            inWord = Character.isLetter(c);
        }
        return out.toString();
    }

    private static String string(Object[] args, int index, String name) {
        if (args.length <= index || args[index] == null) {
            throw new ELException(name + "() is missing argument " + (index + 1));
        }
        return String.valueOf(args[index]);
    }

    // Properties are none of this resolver's business.

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return false;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
