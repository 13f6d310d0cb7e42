package dev.ingot.server.demo;

/** Generated text made fit for one table cell. */
final class Texts {

    private Texts() {}

    /** Line breaks shown as ↵, and at most {@code width} characters (… marks a cut). */
    static String shorten(String text, int width) {
        String oneLine = text.replace("\r", "").replace("\n", "↵");
        return oneLine.length() <= width ? oneLine : oneLine.substring(0, width - 1) + "…";
    }

    /** {@code " the"} with its quotes, so leading spaces show. */
    static String quoted(String piece) {
        return "\"" + shorten(piece, 16) + "\"";
    }

    /** {@code "1 tensor"}, {@code "9 tensors"}. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
