package dev.ingot.spi.mapping;

import dev.ingot.spi.tensor.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link WeightMapper} written as rules: native name patterns where {@code {i}} stands for a layer
 * number, each with the canonical name(s) it becomes and the ops on the way. The first matching rule
 * wins; a name no rule matches is {@link TensorMapping.Unknown}.
 *
 * <pre>{@code
 * WeightMapper m = RuleMapper.builder()
 *     .rename("tok_embeddings.weight", "model.embed_tokens.weight")
 *     .rename("layers.{i}.attention.wq.weight", "model.layers.{i}.self_attn.q_proj.weight",
 *             new TensorOp.RopeInterleavedToHalves(spec.heads()))
 *     .skip("rope.freqs", "precomputed RoPE table")
 *     .build();
 * }</pre>
 */
public final class RuleMapper implements WeightMapper {

    private final List<Rule> rules;

    private RuleMapper(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public TensorMapping map(TensorInfo nativeTensor) {
        for (Rule rule : rules) {
            Matcher m = rule.pattern.matcher(nativeTensor.name());
            if (m.matches()) {
                return rule.result.apply(m.groupCount() > 0 ? m.group(1) : "");
            }
        }
        return TensorMapping.unknown("no rule matches '" + nativeTensor.name() + "'");
    }

    private record Rule(Pattern pattern, Function<String, TensorMapping> result) {}

    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();

        /** {@code nativePattern} becomes {@code canonicalPattern} after {@code ops}. */
        public Builder rename(String nativePattern, String canonicalPattern, TensorOp... ops) {
            List<TensorOp> opList = List.of(ops);
            rules.add(new Rule(compile(nativePattern), layer -> new TensorMapping.Mapped(
                    List.of(new TensorMapping.Target(canonicalPattern.replace("{i}", layer), opList)))));
            return this;
        }

        /** {@code nativePattern} yields several canonical tensors, e.g. a fused QKV split by {@link TensorOp.SliceRows}. */
        public Builder split(String nativePattern, List<TensorMapping.Target> targetPatterns) {
            List<TensorMapping.Target> copy = List.copyOf(targetPatterns);
            rules.add(new Rule(compile(nativePattern), layer -> new TensorMapping.Mapped(copy.stream()
                    .map(t -> new TensorMapping.Target(t.canonicalName().replace("{i}", layer), t.ops()))
                    .toList())));
            return this;
        }

        /** Tensors matching {@code nativePattern} are known and not needed. */
        public Builder skip(String nativePattern, String reason) {
            rules.add(new Rule(compile(nativePattern), layer -> TensorMapping.skip(reason)));
            return this;
        }

        public RuleMapper build() {
            return new RuleMapper(rules);
        }

        private static Pattern compile(String namePattern) {
            int at = namePattern.indexOf("{i}");
            if (at < 0) {
                return Pattern.compile(Pattern.quote(namePattern));
            }
            if (namePattern.indexOf("{i}", at + 1) >= 0) {
                throw new IllegalArgumentException("only one {i} allowed in " + namePattern);
            }
            return Pattern.compile(Pattern.quote(namePattern.substring(0, at)) + "(\\d+)"
                    + Pattern.quote(namePattern.substring(at + 3)));
        }
    }
}
