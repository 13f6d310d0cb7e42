package dev.ingot.server.http;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * A Jinjava set up to render Hugging Face chat templates as Python's Jinja2 does (what transformers
 * uses): trim_blocks and lstrip_blocks, {@code {{-}} trimming, filters binding tighter than arithmetic,
 * keyword arguments and slices parsed the Python way ({@link PythonicParser}), Python's string methods
 * ({@link PyStringMethods}) and {@code tojson} ({@link PyJsonFilter}). Jinjava already provides
 * {@code namespace()}, {@code loop.*}, {@code is defined / none / false / string} and {@code in}.
 */
final class PythonicJinja {

    private PythonicJinja() {}

    static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .build();
        ExpressionFactory expressions = new ExpressionFactoryImpl(new TreeStore(new Syntax(), null), new TruthyTypeConverter());
        Jinjava jinjava = new Jinjava(config) {
            @Override
            public ExpressionFactory getExpressionFactory() {
                return expressions;
            }
        };
        jinjava.registerFilter(new PyJsonFilter());
        return jinjava;
    }

    /** Jinjava's expression syntax, parsed by {@link PythonicParser}; the features Jinjava's own factory enables. */
    private static final class Syntax extends ExtendedSyntaxBuilder {
        Syntax() {
            super(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PythonicParser(this, expression);
        }
    }
}
