package dev.ingot.server.http;

import com.hubspot.jinjava.objects.collections.PyList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstRightValue;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;

/** {@code seq[start:stop:step]} with Python's rules (negative indices, clamping, negative steps) on lists and strings. */
final class PySlice extends AstRightValue {

    private final AstNode base;
    private final AstNode start;
    private final AstNode stop;
    private final AstNode step;

    PySlice(AstNode base, AstNode start, AstNode stop, AstNode step) {
        this.base = base;
        this.start = start;
        this.stop = stop;
        this.step = step;
    }

    @Override
    public Object eval(Bindings bindings, ELContext context) {
        Object value = base.eval(bindings, context);
        if (value == null) {
            return null;
        }
        List<?> items = value instanceof CharSequence text ? null : asList(value);
        int length = items == null ? ((CharSequence) value).length() : items.size();
        int stride = index(step, bindings, context, 1);
        if (stride == 0) {
            throw new ELException("slice step cannot be zero");
        }
        int from = bound(start, bindings, context, length, stride, stride > 0 ? 0 : length - 1);
        int to = bound(stop, bindings, context, length, stride, stride > 0 ? length : -1);
        List<Integer> picked = new ArrayList<>();
        for (int i = from; stride > 0 ? i < to : i > to; i += stride) {
            picked.add(i);
        }
        if (items == null) {
            StringBuilder out = new StringBuilder(picked.size());
            picked.forEach(i -> out.append(((CharSequence) value).charAt(i)));
            return out.toString();
        }
        List<Object> out = new ArrayList<>(picked.size());
        picked.forEach(i -> out.add(items.get(i)));
        return new PyList(out);
    }

    private static List<?> asList(Object value) {
        if (value instanceof List<?> list) {
            return list;
        }
        if (value instanceof Object[] array) {
            return Arrays.asList(array);
        }
        if (value instanceof Iterable<?> iterable) {
            List<Object> out = new ArrayList<>();
            iterable.forEach(out::add);
            return out;
        }
        throw new ELException("cannot slice a " + value.getClass().getSimpleName());
    }

    /** A start or stop index made absolute and clamped to the range the step walks, as Python does. */
    private static int bound(AstNode node, Bindings bindings, ELContext context, int length, int stride, int absent) {
        if (node == null) {
            return absent;
        }
        int i = index(node, bindings, context, absent);
        if (i < 0) {
            i += length;
        }
        return stride > 0 ? Math.clamp(i, 0, length) : Math.clamp(i, -1, length - 1);
    }

    private static int index(AstNode node, Bindings bindings, ELContext context, int absent) {
        if (node == null) {
            return absent;
        }
        Object value = node.eval(bindings, context);
        if (value == null) {
            return absent;
        }
        if (!(value instanceof Number number)) {
            throw new ELException("slice indices must be integers, got " + value);
        }
        return number.intValue();
    }

    @Override
    public void appendStructure(StringBuilder out, Bindings bindings) {
        base.appendStructure(out, bindings);
        out.append('[');
        appendPart(out, bindings, start);
        out.append(':');
        appendPart(out, bindings, stop);
        out.append(':');
        appendPart(out, bindings, step);
        out.append(']');
    }

    private static void appendPart(StringBuilder out, Bindings bindings, AstNode part) {
        if (part != null) {
            part.appendStructure(out, bindings);
        }
    }

    @Override
    public int getCardinality() {
        return 4;
    }

    @Override
    public AstNode getChild(int i) {
        return switch (i) {
            case 0 -> base;
            case 1 -> start;
            case 2 -> stop;
            case 3 -> step;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return "slice(" + Objects.toString(start) + ", " + Objects.toString(stop) + ", " + Objects.toString(step) + ")";
    }
}
