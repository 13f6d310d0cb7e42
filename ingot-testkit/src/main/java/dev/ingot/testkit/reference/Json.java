package dev.ingot.testkit.reference;

import java.util.List;
import java.util.Map;

/** Just enough JSON writing for config.json and safetensors headers (the testkit depends on the JDK only). */
final class Json {

    private Json() {}

    /** Serialises maps (in their iteration order), lists, strings, numbers, booleans and null, pretty-printed. */
    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, "");
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object value, String indent) {
        switch (value) {
            case null -> sb.append("null");
            case String s -> sb.append(string(s));
            case Boolean b -> sb.append(b);
            case Double d -> {
                if (d.isNaN() || d.isInfinite()) {
                    throw new IllegalArgumentException("JSON has no " + d);
                }
                sb.append(d); // Double.toString gives "1000000.0" / "1.0E-6", both valid JSON numbers
            }
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                sb.append('{');
                String inner = indent + "  ";
                String sep = "\n";
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(sep).append(inner).append(string(e.getKey().toString())).append(": ");
                    write(sb, e.getValue(), inner);
                    sep = ",\n";
                }
                sb.append(m.isEmpty() ? "" : "\n" + indent).append('}');
            }
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i == 0 ? "" : ", ");
                    write(sb, l.get(i), indent);
                }
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("cannot write " + value.getClass());
        }
    }

    static String string(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
