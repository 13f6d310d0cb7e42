package dev.ingot.server.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * A table for the terminal: a header row, a rule under it, and columns padded to their widest cell.
 * Columns named in {@link #rightAligned} (numbers) line up on their last digit.
 */
final class Table {

    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = headers.clone();
        this.right = new boolean[headers.length];
    }

    Table rightAligned(int... columns) {
        for (int column : columns) {
            right[column] = true;
        }
        return this;
    }

    Table row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("a row of this table has " + headers.length + " cells, got " + cells.length);
        }
        String[] text = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            text[i] = String.valueOf(cells[i]);
        }
        rows.add(text);
        return this;
    }

    /** The lines of the table, each starting with {@code indent}, without trailing blanks. */
    List<String> lines(String indent) {
        int[] widths = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            widths[c] = headers[c].length();
            for (String[] row : rows) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        List<String> out = new ArrayList<>();
        out.add(line(indent, headers, widths));
        String[] rule = new String[headers.length];
        for (int c = 0; c < headers.length; c++) {
            rule[c] = "-".repeat(widths[c]);
        }
        out.add(line(indent, rule, widths));
        rows.forEach(row -> out.add(line(indent, row, widths)));
        return out;
    }

    private String line(String indent, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder(indent);
        for (int c = 0; c < cells.length; c++) {
            String pad = " ".repeat(widths[c] - cells[c].length());
            line.append(right[c] ? pad + cells[c] : cells[c] + pad).append(c < cells.length - 1 ? "  " : "");
        }
        return line.toString().stripTrailing();
    }
}
