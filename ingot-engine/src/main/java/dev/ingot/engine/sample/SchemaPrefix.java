package dev.ingot.engine.sample;

import dev.ingot.engine.sample.SchemaNode.AnyOf;
import dev.ingot.engine.sample.SchemaNode.ArrayNode;
import dev.ingot.engine.sample.SchemaNode.BooleanNode;
import dev.ingot.engine.sample.SchemaNode.Literals;
import dev.ingot.engine.sample.SchemaNode.NullNode;
import dev.ingot.engine.sample.SchemaNode.NumberNode;
import dev.ingot.engine.sample.SchemaNode.ObjectNode;
import dev.ingot.engine.sample.SchemaNode.Property;
import dev.ingot.engine.sample.SchemaNode.Ref;
import dev.ingot.engine.sample.SchemaNode.StringNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Recognises, byte by byte, the prefixes of JSON texts that a {@link SchemaNode} admits. Immutable:
 * {@link #accept} returns the next prefix (or null), so a token-trie walk can branch from one state
 * without copying.
 *
 * <p>The state is the set of parses still alive, each a stack of what is left to read (a nondeterministic
 * pushdown automaton): optional properties and {@code anyOf} choices simply leave several stacks. Every
 * stack's top is a frame that reads bytes; the other frames expand (without reading) when they reach
 * the top. The texts read are compact JSON, properties in schema order, with at most one space after
 * each {@code :} and {@code ,}.
 */
public final class SchemaPrefix {

    /** Most frames one parse may stack (nesting through recursive definitions). */
    static final int MAX_STACK = 512;
    /** Most parses alive at once (a schema of many overlapping {@code anyOf} choices is cut here). */
    static final int MAX_PARSES = 4_096;
    /** Longest number written (digits, sign, point and exponent). */
    static final int MAX_NUMBER_LENGTH = 24;

    private final List<Stack> parses;
    private final boolean complete;

    private SchemaPrefix(List<Stack> parses, boolean complete) {
        this.parses = parses;
        this.complete = complete;
    }

    /** The empty text, before a value of {@code root}. */
    public static SchemaPrefix start(SchemaNode root) {
        List<Stack> out = new ArrayList<>();
        boolean[] complete = new boolean[1];
        settle(new Stack(new Value(root), null), out, complete, 0);
        return new SchemaPrefix(out, complete[0]);
    }

    /** The prefix one byte (0..255) longer, or null when no admitted text starts that way. */
    public SchemaPrefix accept(int c) {
        List<Stack> out = new ArrayList<>();
        boolean[] complete = new boolean[1];
        for (Stack s : parses) {
            Frame next = ((Reader) s.head).read(c);
            if (next != null) {
                settle(new Stack(next, s.tail), out, complete, 0);
            }
        }
        return out.isEmpty() && !complete[0] ? null : new SchemaPrefix(List.copyOf(out), complete[0]);
    }

    /** Feeds every byte; null as soon as one does not fit. */
    public SchemaPrefix acceptAll(byte[] bytes) {
        return acceptFrom(bytes, 0);
    }

    /**
     * Whether the only parse is inside a string that has no maximum length and has reached its
     * minimum: then every further plain character (see {@link #plainEnd}) leaves this state as it is,
     * so a vocabulary walk can accept such runs without stepping through them.
     */
    public boolean inFreeString() {
        return parses.size() == 1 && !complete && parses.get(0).head instanceof StringBody body
                && body.max == SchemaNode.UNBOUNDED && body.count >= body.min && body.continuation == 0 && body.escape == 0;
    }

    /**
     * Where the run of plain string characters in {@code bytes} from {@code from} ends: printable ASCII
     * other than {@code "} and {@code \}, and whole well-formed UTF-8 sequences of two to four bytes.
     */
    public static int plainEnd(byte[] bytes, int from) {
        int i = from;
        while (i < bytes.length) {
            int c = bytes[i] & 0xff;
            int extra;
            if (c >= 0x20 && c < 0x80) {
                if (c == '"' || c == '\\') {
                    return i;
                }
                extra = 0;
            } else if (c >= 0xc2 && c <= 0xdf) {
                extra = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                extra = 2;
            } else if (c >= 0xf0 && c <= 0xf4) {
                extra = 3;
            } else {
                return i;
            }
            if (i + extra >= bytes.length) {
                return i;
            }
            for (int k = 1; k <= extra; k++) {
                int b = bytes[i + k] & 0xff;
                if (b < 0x80 || b > 0xbf) {
                    return i;
                }
            }
            i += extra + 1;
        }
        return i;
    }

    /** Feeds {@code bytes} from {@code from} on; null as soon as one does not fit. */
    public SchemaPrefix acceptFrom(byte[] bytes, int from) {
        SchemaPrefix p = this;
        for (int i = from; i < bytes.length && p != null; i++) {
            p = p.accept(bytes[i] & 0xff);
        }
        return p;
    }

    /** Whether the text read is a whole value. */
    public boolean complete() {
        return complete;
    }

    /** Whether some byte may still follow. */
    public boolean canContinue() {
        return !parses.isEmpty();
    }

    /**
     * Expands {@code s} until a reading frame is on top, adding each such stack to {@code out};
     * an emptied stack means the text read so far is whole.
     */
    private static void settle(Stack s, List<Stack> out, boolean[] complete, int expansions) {
        if (s == null) {
            complete[0] = true;
            return;
        }
        if (s.size > MAX_STACK || expansions > MAX_STACK || out.size() >= MAX_PARSES) {
            return;
        }
        switch (s.head) {
            case Reader reader -> {
                if (!(reader instanceof Done)) {
                    out.add(s);
                }
                if (reader.mayEnd()) {
                    settle(s.tail, out, complete, expansions);
                }
            }
            case Value v -> expand(v.node, s.tail, out, complete, expansions + 1);
            case Props p -> {
                List<Property> props = p.object.properties();
                if (p.index == props.size()) {
                    settle(s.tail, out, complete, expansions);
                    return;
                }
                Property prop = props.get(p.index);
                Stack rest = push(s.tail, new Value(prop.schema()), new Props(p.object, p.index + 1, true));
                rest = push(rest, Text.of(prop.quotedName() + ":"), new Space());
                if (p.written) {
                    rest = push(rest, Text.of(","), new Space());
                }
                settle(rest, out, complete, expansions + 1);
                if (!prop.required()) {
                    settle(new Stack(new Props(p.object, p.index + 1, p.written), s.tail), out, complete, expansions + 1);
                }
            }
            case Items i -> {
                ArrayNode array = i.array;
                if (i.count >= array.minItems()) {
                    settle(new Stack(Text.of("]"), s.tail), out, complete, expansions + 1);
                }
                if (array.maxItems() == SchemaNode.UNBOUNDED || i.count < array.maxItems()) {
                    Stack rest = push(s.tail, new Value(array.items()), new Items(array, i.count + 1));
                    if (i.count > 0) {
                        rest = push(rest, Text.of(","), new Space());
                    }
                    settle(rest, out, complete, expansions + 1);
                }
            }
        }
    }

    private static void expand(SchemaNode node, Stack tail, List<Stack> out, boolean[] complete, int expansions) {
        switch (node) {
            case ObjectNode o -> settle(push(tail, Text.of("{"), new Props(o, 0, false), Text.of("}")), out, complete, expansions);
            case ArrayNode a -> settle(push(tail, Text.of("["), new Items(a, 0)), out, complete, expansions);
            case StringNode s -> settle(push(tail, Text.of("\""), new StringBody(s.minLength(), s.maxLength(), 0, 0, 0)), out,
                    complete, expansions);
            case NumberNode n -> settle(new Stack(new Number(n.integer(), Number.START, 0), tail), out, complete, expansions);
            case BooleanNode b -> {
                settle(new Stack(Text.of("true"), tail), out, complete, expansions);
                settle(new Stack(Text.of("false"), tail), out, complete, expansions);
            }
            case NullNode n -> settle(new Stack(Text.of("null"), tail), out, complete, expansions);
            case Literals l -> {
                for (String text : l.texts()) {
                    settle(new Stack(Text.of(text), tail), out, complete, expansions);
                }
            }
            case AnyOf any -> {
                for (SchemaNode choice : any.choices()) {
                    expand(choice, tail, out, complete, expansions + 1);
                }
            }
            case Ref ref -> expand(ref.target(), tail, out, complete, expansions + 1);
        }
    }

    /** {@code frames} on top of {@code tail}, the first one topmost. */
    private static Stack push(Stack tail, Frame... frames) {
        Stack s = tail;
        for (int i = frames.length - 1; i >= 0; i--) {
            s = new Stack(frames[i], s);
        }
        return s;
    }

    /** A persistent stack of frames; null is the empty stack. */
    private record Stack(Frame head, Stack tail, int size) {
        Stack(Frame head, Stack tail) {
            this(head, tail, tail == null ? 1 : tail.size + 1);
        }
    }

    private sealed interface Frame permits Reader, Value, Props, Items {}

    /** A frame that reads bytes. */
    private sealed interface Reader extends Frame permits Text, StringBody, Number, Space, Done {
        /** The frame after {@code c}, or null when {@code c} does not fit. */
        Frame read(int c);

        /** Whether the frame may end here (and the next one read on). */
        boolean mayEnd();
    }

    /** Fully read; only ends. */
    private record Done() implements Reader {
        static final Done INSTANCE = new Done();

        public Frame read(int c) {
            return null;
        }

        public boolean mayEnd() {
            return true;
        }
    }

    /** Fixed bytes, read up to {@code at}. */
    private record Text(byte[] bytes, int at) implements Reader {
        static Text of(String text) {
            return new Text(text.getBytes(StandardCharsets.UTF_8), 0);
        }

        public Frame read(int c) {
            if ((bytes[at] & 0xff) != c) {
                return null;
            }
            return at + 1 == bytes.length ? Done.INSTANCE : new Text(bytes, at + 1);
        }

        public boolean mayEnd() {
            return false;
        }
    }

    /** One optional space. */
    private record Space() implements Reader {
        public Frame read(int c) {
            return c == ' ' ? Done.INSTANCE : null;
        }

        public boolean mayEnd() {
            return true;
        }
    }

    /**
     * A string's characters after the opening quote, through the closing one. {@code count} is the
     * code points read (capped at {@code min} when there is no maximum, so long strings share one
     * state), {@code continuation} the UTF-8 bytes the current character still needs, {@code escape}
     * 1 after a backslash and 2..5 while 4..1 hex digits of {@code \\u} are due.
     */
    private record StringBody(int min, int max, int count, int continuation, int escape) implements Reader {
        public Frame read(int c) {
            if (continuation > 0) {
                return c >= 0x80 && c <= 0xbf ? new StringBody(min, max, count, continuation - 1, 0) : null;
            }
            if (escape == 1) {
                if (c == 'u') {
                    return new StringBody(min, max, count, 0, 5);
                }
                return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't'
                        ? counted(0) : null;
            }
            if (escape > 1) {
                if (!isHex(c)) {
                    return null;
                }
                return escape == 2 ? counted(0) : new StringBody(min, max, count, 0, escape - 1);
            }
            if (c == '"') {
                return count >= min ? Done.INSTANCE : null;
            }
            boolean room = max == SchemaNode.UNBOUNDED || count < max;
            if (!room || c < 0x20) {
                return null;
            }
            if (c == '\\') {
                return new StringBody(min, max, count, 0, 1); // counted when the escape completes
            }
            if (c < 0x80) {
                return counted(0);
            }
            if (c >= 0xc2 && c <= 0xdf) {
                return counted(1);
            }
            if (c >= 0xe0 && c <= 0xef) {
                return counted(2);
            }
            if (c >= 0xf0 && c <= 0xf4) {
                return counted(3);
            }
            return null;
        }

        private StringBody counted(int continuationBytes) {
            int next = max == SchemaNode.UNBOUNDED ? Math.min(count + 1, min) : count + 1;
            return new StringBody(min, max, next, continuationBytes, 0);
        }

        public boolean mayEnd() {
            return false;
        }
    }

    /** A JSON number (RFC 8259), or an integer's digits; {@code length} bytes read so far. */
    private record Number(boolean integer, int mode, int length) implements Reader {
        static final int START = 0;
        static final int MINUS = 1;
        static final int ZERO = 2;
        static final int INT = 3;
        static final int DOT = 4;
        static final int FRAC = 5;
        static final int EXP = 6;
        static final int EXP_SIGN = 7;
        static final int EXP_DIGITS = 8;

        public Frame read(int c) {
            if (length == MAX_NUMBER_LENGTH) {
                return null;
            }
            boolean digit = c >= '0' && c <= '9';
            int next = switch (mode) {
                case START -> c == '-' ? MINUS : c == '0' ? ZERO : digit ? INT : -1;
                case MINUS -> c == '0' ? ZERO : digit ? INT : -1;
                case ZERO, INT -> mode == INT && digit ? INT : integer ? -1 : c == '.' ? DOT : c == 'e' || c == 'E' ? EXP : -1;
                case DOT -> digit ? FRAC : -1;
                case FRAC -> digit ? FRAC : c == 'e' || c == 'E' ? EXP : -1;
                case EXP -> c == '+' || c == '-' ? EXP_SIGN : digit ? EXP_DIGITS : -1;
                case EXP_SIGN, EXP_DIGITS -> digit ? EXP_DIGITS : -1;
                default -> -1;
            };
            return next < 0 ? null : new Number(integer, next, length + 1);
        }

        public boolean mayEnd() {
            return mode == ZERO || mode == INT || mode == FRAC || mode == EXP_DIGITS;
        }
    }

    /** A value of {@code node}, not yet expanded. */
    private record Value(SchemaNode node) implements Frame {}

    /** An object's properties from {@code index} on; {@code written} when one came before (so a comma is due). */
    private record Props(ObjectNode object, int index, boolean written) implements Frame {}

    /** An array's elements after {@code count} of them. */
    private record Items(ArrayNode array, int count) implements Frame {}

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
