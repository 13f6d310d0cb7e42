package dev.ingot.engine.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the Oniguruma patterns found in {@code tokenizer.json} (Split pre-tokenizers, Replace
 * normalizers) with {@link java.util.regex}. The syntax the Llama 3, Qwen2 and GPT-2 patterns use —
 * {@code \p{L}}, {@code \p{N}}, {@code (?i:…)}, lookahead, possessive and bounded quantifiers — means
 * the same in both; what differs is translated here:
 * <ul>
 *   <li>Oniguruma's {@code \s}, {@code \w}, {@code \d} and case folding are Unicode-aware, Java's are
 *       ASCII unless {@link Pattern#UNICODE_CHARACTER_CLASS} is on;</li>
 *   <li>Oniguruma's {@code \h} is a hex digit, Java's is horizontal whitespace;</li>
 *   <li>Oniguruma names scripts bare ({@code \p{Han}}), Java wants {@code \p{IsHan}}.</li>
 * </ul>
 */
final class HfRegex {

    private HfRegex() {}

    static Pattern compile(String onigPattern, JsonFields json, String where) throws TokenizerFileException {
        try {
            return Pattern.compile(translate(onigPattern), Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) {
            throw json.problem("cannot compile the regex of " + where + " (" + e.getDescription() + "): " + onigPattern);
        }
    }

    static String translate(String pattern) {
        StringBuilder out = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '\\' || i + 1 == pattern.length()) {
                out.append(c);
                continue;
            }
            char escaped = pattern.charAt(++i);
            switch (escaped) {
                case 'h' -> out.append("[0-9a-fA-F]");
                case 'H' -> out.append("[^0-9a-fA-F]");
                case 'p', 'P' -> i = appendProperty(pattern, i, escaped, out);
                default -> out.append('\\').append(escaped);
            }
        }
        return out.toString();
    }

    /** Copies {@code \p{Name}} starting at the 'p', naming scripts the Java way; returns the last index used. */
    private static int appendProperty(String pattern, int at, char p, StringBuilder out) {
        int close = pattern.indexOf('}', at);
        if (at + 1 >= pattern.length() || pattern.charAt(at + 1) != '{' || close < 0) {
            out.append('\\').append(p);
            return at;
        }
        String name = pattern.substring(at + 2, close);
        boolean negated = name.startsWith("^");
        String bare = negated ? name.substring(1) : name;
        if (isScriptName(bare)) {
            bare = "Is" + bare;
        }
        out.append('\\').append(negated ? (p == 'p' ? 'P' : 'p') : p).append('{').append(bare).append('}');
        return close;
    }

    /** General categories are one or two letters (L, Lu, N, Nd…); longer bare names are scripts. */
    private static boolean isScriptName(String name) {
        return name.length() > 2 && !name.contains("=") && !name.startsWith("Is") && !name.startsWith("In")
                && Character.isUpperCase(name.charAt(0)) && name.chars().allMatch(Character::isLetter);
    }
}
