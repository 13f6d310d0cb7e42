package dev.ingot.engine.tokenizer.sentencepiece;

/**
 * SentencePiece's normaliser for models without a precompiled character map ("identity"): only the
 * ASCII space is touched. It becomes {@code ▁} (U+2581) so that pieces can carry word boundaries; a
 * {@code ▁} is put in front when {@code add_dummy_prefix} is set so that the first word looks like
 * every other; with {@code remove_extra_whitespaces}, leading and trailing spaces go and runs of spaces
 * become one. Tabs, newlines and other white space are ordinary characters, as in SentencePiece.
 */
final class SpaceNormalizer {

    static final char SPACE_MARK = '\u2581';

    private final boolean addDummyPrefix;
    private final boolean removeExtraWhitespaces;

    SpaceNormalizer(boolean addDummyPrefix, boolean removeExtraWhitespaces) {
        this.addDummyPrefix = addDummyPrefix;
        this.removeExtraWhitespaces = removeExtraWhitespaces;
    }

    String normalize(String text) {
        int start = 0;
        if (removeExtraWhitespaces) {
            while (start < text.length() && text.charAt(start) == ' ') {
                start++;
            }
        }
        // Empty (or all-space) text encodes to nothing: no dummy prefix either.
        if (start == text.length()) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 1);
        if (addDummyPrefix) {
            out.append(SPACE_MARK);
        }
        boolean previousWasSpace = removeExtraWhitespaces;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                if (!(removeExtraWhitespaces && previousWasSpace)) {
                    out.append(SPACE_MARK);
                }
                previousWasSpace = true;
            } else {
                // SentencePiece reads UTF-8 and turns what is not valid into U+FFFD; a lone surrogate is
                // what a Java string has in its place.
                boolean loneSurrogate = Character.isSurrogate(c)
                        && !(Character.isHighSurrogate(c) && i + 1 < text.length()
                                && Character.isLowSurrogate(text.charAt(i + 1)))
                        && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
                out.append(loneSurrogate ? '\uFFFD' : c);
                previousWasSpace = false;
            }
        }
        if (removeExtraWhitespaces) {
            while (!out.isEmpty() && out.charAt(out.length() - 1) == SPACE_MARK) {
                out.setLength(out.length() - 1);
            }
        }
        return out.toString();
    }
}
