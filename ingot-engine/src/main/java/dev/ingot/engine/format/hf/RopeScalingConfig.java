package dev.ingot.engine.format.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ingot.engine.safetensors.StrictJson;
import dev.ingot.spi.CheckpointException;
import dev.ingot.spi.format.RopeScaling;
import java.nio.file.Path;

/** {@code config.json}'s {@code rope_scaling} object; older files name the kind {@code "type"}, newer ones {@code "rope_type"}. */
final class RopeScalingConfig {

    private RopeScalingConfig() {}

    static RopeScaling read(Path file, JsonNode node) throws CheckpointException {
        if (node == null || node.isNull()) {
            return RopeScaling.NONE;
        }
        if (!node.isObject()) {
            throw new CheckpointException(file + ": \"rope_scaling\" must be an object or null, got " + StrictJson.kind(node));
        }
        JsonNode kind = node.has("rope_type") ? node.get("rope_type") : node.get("type");
        if (kind == null || !kind.isTextual()) {
            throw new CheckpointException(file + ": rope_scaling needs \"rope_type\" (or \"type\") as a string");
        }
        return switch (kind.textValue()) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling.Linear(number(file, node, "factor"));
            case "llama3" -> new RopeScaling.Llama3(
                    number(file, node, "factor"),
                    number(file, node, "low_freq_factor"),
                    number(file, node, "high_freq_factor"),
                    integer(file, node, "original_max_position_embeddings"));
            default -> throw new CheckpointException(file + ": rope_scaling type '" + kind.textValue()
                    + "' is not supported; supported: default, linear, llama3");
        };
    }

    private static double number(Path file, JsonNode scaling, String field) throws CheckpointException {
        JsonNode value = scaling.get(field);
        if (value == null || !value.isNumber() || !(value.doubleValue() > 0)) {
            throw new CheckpointException(file + ": rope_scaling needs \"" + field + "\" as a positive number, got "
                    + (value == null ? "nothing" : value.toString()));
        }
        return value.doubleValue();
    }

    private static int integer(Path file, JsonNode scaling, String field) throws CheckpointException {
        JsonNode value = scaling.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() <= 0) {
            throw new CheckpointException(file + ": rope_scaling needs \"" + field + "\" as a positive integer, got "
                    + (value == null ? "nothing" : value.toString()));
        }
        return value.intValue();
    }
}
