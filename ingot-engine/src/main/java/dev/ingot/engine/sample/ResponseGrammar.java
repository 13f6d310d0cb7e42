package dev.ingot.engine.sample;

import dev.ingot.spi.tokenizer.Tokenizer;
import java.util.Objects;
import java.util.Optional;

/** What shape a completion's text must have (OpenAI's {@code response_format}). */
public sealed interface ResponseGrammar {

    /** Any text ({@code response_format: text}, or none). */
    ResponseGrammar TEXT = new FreeText();

    /**
     * The constraint that keeps one sequence inside this grammar, or empty for free text.
     *
     * @param vocab         the model's vocabulary size (entries the tokenizer does not know are banned)
     * @param previousToken the prompt's last token, which the first token's bytes follow
     */
    Optional<TokenConstraint> constrain(Tokenizer tokenizer, int vocab, int previousToken);

    /** No constraint. */
    record FreeText() implements ResponseGrammar {
        @Override
        public Optional<TokenConstraint> constrain(Tokenizer tokenizer, int vocab, int previousToken) {
            return Optional.empty();
        }
    }

    /** One JSON object of any shape ({@code response_format: json_object}). */
    record AnyJsonObject() implements ResponseGrammar {
        @Override
        public Optional<TokenConstraint> constrain(Tokenizer tokenizer, int vocab, int previousToken) {
            return Optional.of(new JsonConstraint(tokenizer, vocab, previousToken));
        }
    }

    /** One JSON value that validates against a compiled schema ({@code response_format: json_schema}). */
    record JsonSchemaGrammar(String name, SchemaNode root) implements ResponseGrammar {
        public JsonSchemaGrammar {
            Objects.requireNonNull(root, "root");
        }

        @Override
        public Optional<TokenConstraint> constrain(Tokenizer tokenizer, int vocab, int previousToken) {
            return Optional.of(new SchemaConstraint(root, tokenizer, vocab, previousToken));
        }
    }
}
