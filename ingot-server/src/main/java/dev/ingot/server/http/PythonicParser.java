package dev.ingot.server.http;

import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.NamedParameterOperator;
import java.util.ArrayList;
import java.util.List;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Scanner.ScanException;
import jinjava.de.odysseus.el.tree.impl.Scanner.Symbol;
import jinjava.de.odysseus.el.tree.impl.Scanner.Token;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;

/**
 * Jinjava's expression parser with the pieces of Python syntax chat templates use and Jinjava reads
 * differently:
 * <ul>
 *   <li>{@code not} binds looser than comparisons and tests, as in Jinja2: Jinjava parses
 *       {@code not add_generation_prompt is defined} as {@code (not add_generation_prompt) is defined},
 *       which is always true, so DeepSeek V3's template dropped its generation prompt;</li>
 *   <li>a keyword argument's value is a whole expression: Jinjava parses {@code f(n=x|length - 1)} as
 *       {@code (n=x|length) - 1}, which fails on every Qwen3 conversation;</li>
 *   <li>subscripts take Python slices with a step ({@code messages[::-1]}), which Jinjava cannot parse.</li>
 * </ul>
 * It relies on natural operator precedence (filters bind tighter than arithmetic), which
 * {@link PythonicJinja} always turns on, so {@link #value()} never has to handle filters itself.
 */
final class PythonicParser extends ExtendedParser {

    PythonicParser(Builder builder, String input) {
        super(builder, input);
    }

    /** {@code not x} takes a whole comparison as its operand ({@code not a == b} is {@code not (a == b)}). */
    @Override
    protected AstNode unary(boolean required) throws ScanException, ParseException {
        if (getToken().getSymbol() == Symbol.NOT) {
            consumeToken();
            return createAstUnary(eq(true), AstUnary.NOT);
        }
        return super.unary(required);
    }

    @Override
    protected AstParameters params(Symbol left, Symbol right) throws ScanException, ParseException {
        consumeToken(left);
        List<AstNode> arguments = new ArrayList<>();
        while (getToken().getSymbol() != right) {
            arguments.add(argument());
            if (getToken().getSymbol() != Symbol.COMMA) {
                break;
            }
            consumeToken(); // a trailing comma is fine, as in Python
        }
        consumeToken(right);
        return createAstParameters(arguments);
    }

    /** {@code expr}, or {@code name=expr} as a named parameter whose value is the whole expression. */
    private AstNode argument() throws ScanException, ParseException {
        Token next = lookahead(0);
        if (getToken().getSymbol() == Symbol.IDENTIFIER && next.getSymbol() == Symbol.EXTENSION && "=".equals(next.getImage())) {
            String name = consumeToken().getImage();
            consumeToken(); // '='
            return NamedParameterOperator.HANDLER.createAstNode(identifier(name), expr(true));
        }
        return expr(true);
    }

    /** A name or literal followed by any number of {@code .attr}, {@code .method(...)} and {@code [...]}. */
    @Override
    protected AstNode value() throws ScanException, ParseException {
        boolean lvalue = true;
        AstNode v = nonliteral();
        if (v == null) {
            v = literal();
            if (v == null) {
                return null;
            }
            lvalue = false;
        }
        while (true) {
            switch (getToken().getSymbol()) {
                case DOT -> {
                    consumeToken();
                    AstDot dot = createAstDot(v, consumeToken(Symbol.IDENTIFIER).getImage(), lvalue);
                    v = callIfParenthesised(dot);
                }
                case LBRACK -> v = subscript(v, lvalue);
                default -> {
                    return v;
                }
            }
        }
    }

    /** {@code [index]} or a Python slice {@code [start:stop:step]}, any part of which may be left out. */
    private AstNode subscript(AstNode base, boolean lvalue) throws ScanException, ParseException {
        consumeToken(Symbol.LBRACK);
        AstNode start = expr(false);
        if (getToken().getSymbol() == Symbol.RBRACK) {
            consumeToken();
            boolean strict = !context.isEnabled(Builder.Feature.NULL_PROPERTIES);
            return callIfParenthesised(createAstBracket(base, start, lvalue, strict));
        }
        consumeToken(Symbol.COLON);
        AstNode stop = expr(false);
        AstNode step = null;
        if (getToken().getSymbol() == Symbol.COLON) {
            consumeToken();
            step = expr(false);
        }
        consumeToken(Symbol.RBRACK);
        return new PySlice(base, start, stop, step);
    }

    private AstNode callIfParenthesised(AstDot dot) throws ScanException, ParseException {
        return getToken().getSymbol() == Symbol.LPAREN && context.isEnabled(Builder.Feature.METHOD_INVOCATIONS)
                ? createAstMethod(dot, params()) : dot;
    }

    private AstNode callIfParenthesised(AstBracket bracket) throws ScanException, ParseException {
        return getToken().getSymbol() == Symbol.LPAREN && context.isEnabled(Builder.Feature.METHOD_INVOCATIONS)
                ? createAstMethod(bracket, params()) : bracket;
    }
}
