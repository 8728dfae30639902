package labdrop.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import labdrop.error.BadInputException;

/** A JSON object a caller sent, read field by field; a wrong or missing field is a 400 naming it. */
final class JsonBody {
    private final JsonNode node;

    private JsonBody(JsonNode node) {
        this.node = node;
    }

    static JsonBody parse(String text) {
        try {
            JsonNode node = Errors.JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new BadInputException("the request body is not a JSON object; send {\"field\": value, ...}");
            }
            return new JsonBody(node);
        } catch (JsonProcessingException e) {
            throw new BadInputException("the request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ")");
        }
    }

    static JsonBody of(JsonNode node) {
        return new JsonBody(node);
    }

    /** A text field, stripped; null when absent or blank unless {@code required}. */
    String text(String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            if (required) {
                throw new BadInputException("field \"" + field + "\" is missing; see /api/v1/openapi.yaml");
            }
            return null;
        }
        if (!value.isValueNode()) {
            throw new BadInputException("field \"" + field + "\" must be a string");
        }
        return value.asText().strip();
    }

    /** A list of strings; empty when absent. */
    List<String> strings(String field) {
        List<String> out = new ArrayList<>();
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isArray()) {
            throw new BadInputException("field \"" + field + "\" must be a list of strings");
        }
        value.forEach(v -> out.add(v.asText()));
        return out;
    }

    /** An object field as a body of its own; null when absent. */
    JsonBody object(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new BadInputException("field \"" + field + "\" must be an object");
        }
        return new JsonBody(value);
    }

    boolean flag(String field) {
        return node.path(field).asBoolean(false);
    }

    Integer integer(String field) {
        return node.hasNonNull(field) ? node.get(field).asInt() : null;
    }

    boolean has(String field) {
        return node.hasNonNull(field);
    }

    /** The elements of an array field, each as a body of its own (or a bare string). */
    List<JsonNode> list(String field) {
        List<JsonNode> out = new ArrayList<>();
        node.path(field).forEach(out::add);
        return out;
    }

    /** The fields in the order sent, null values included. */
    Iterator<Map.Entry<String, JsonNode>> fields() {
        return node.fields();
    }
}
