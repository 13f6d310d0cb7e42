package dev.ingot.server.demo;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * How the demo talks to its reader: numbered sections, indented lines, tables, and progress for the
 * steps that repeat. On a terminal a progress line is redrawn in place; elsewhere (a pipe, a test) only
 * its final line is written, so captured output stays clean.
 */
final class DemoOutput {

    private static final String INDENT = "  ";
    private static final int BAR = 20;

    private final PrintWriter out;
    private final boolean terminal;
    private int sections;

    DemoOutput(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    void title(String text) {
        out.println(text);
        out.println("=".repeat(text.length()));
        out.flush();
    }

    void section(String title) {
        sections++;
        out.println();
        out.println(sections + ". " + title);
        out.flush();
    }

    void blank() {
        out.println();
        out.flush();
    }

    void line(String text) {
        out.println(INDENT + text);
        out.flush();
    }

    /** {@code label} padded so that a run of facts lines up: {@code "plugin      acme 0.1.0"}. */
    void fact(String label, String value) {
        line(String.format(Locale.ROOT, "%-12s %s", label, value));
    }

    void table(Table table) {
        table.lines(INDENT).forEach(out::println);
        out.flush();
    }

    Progress progress(String label, int total) {
        return new Progress(label, total);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /** A counted task: {@code [#####-----] 3/6 label} while it runs (terminal only), one summary line at the end. */
    final class Progress {
        private final String label;
        private final int total;
        private int done;

        private Progress(String label, int total) {
            this.label = label;
            this.total = total;
            draw();
        }

        void advance() {
            done++;
            draw();
        }

        void finish(String summary) {
            if (terminal) {
                out.print("\r\033[K");
            }
            line(summary);
        }

        private void draw() {
            if (!terminal) {
                return;
            }
            int filled = total == 0 ? BAR : done * BAR / total;
            out.print("\r" + INDENT + "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + done + "/" + total + " " + label);
            out.flush();
        }
    }
}
