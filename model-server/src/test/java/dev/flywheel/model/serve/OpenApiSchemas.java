package dev.flywheel.model.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * An OpenAPI 3.0 document's schemas, walked by hand: {@code $ref} to components, {@code type} (object, array,
 * string, number, integer, boolean), {@code properties}, {@code required}, {@code items}, {@code anyOf},
 * {@code additionalProperties: false} and {@code enum} — what KServe's REST spec uses, and a failure for anything
 * else, so an unsupported keyword cannot pass silently.
 */
final class OpenApiSchemas {
  private static final List<String> KNOWN_KEYWORDS = List.of("$ref", "type", "properties", "required", "items", "anyOf",
      "additionalProperties", "enum", "title", "description", "x-examples");

  private final JsonNode document;

  private OpenApiSchemas(JsonNode document) {
    this.document = document;
  }

  static OpenApiSchemas load(String resource) throws IOException {
    try (InputStream in = OpenApiSchemas.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no resource " + resource);
      }
      return new OpenApiSchemas(new ObjectMapper(new YAMLFactory()).readTree(in));
    }
  }

  JsonNode paths() {
    return document.path("paths");
  }

  /** The schema of a response's application/json content, or null when the spec gives the response no body schema. */
  JsonNode responseSchema(String path, String method, String status) {
    JsonNode response = document.path("paths").path(path).path(method).path("responses").path(status);
    if (response.isMissingNode()) {
      throw new IllegalArgumentException("the spec has no response " + status + " for " + method + " " + path);
    }
    JsonNode schema = response.path("content").path("application/json").path("schema");
    return schema.isMissingNode() ? null : schema;
  }

  /** The schema of a request body's application/json content. */
  JsonNode requestSchema(String path, String method) {
    return document.path("paths").path(path).path(method).path("requestBody").path("content").path("application/json").path("schema");
  }

  JsonNode component(String name) {
    JsonNode schema = document.path("components").path("schemas").path(name);
    if (schema.isMissingNode()) {
      throw new IllegalArgumentException("the spec has no schema " + name);
    }
    return schema;
  }

  /** What is wrong with the value against the schema; empty when it conforms. */
  List<String> errors(JsonNode value, JsonNode schema) {
    List<String> errors = new ArrayList<>();
    check(value, schema, "$", errors);
    return errors;
  }

  private void check(JsonNode value, JsonNode schema, String at, List<String> errors) {
    for (Iterator<String> names = schema.fieldNames(); names.hasNext(); ) {
      String keyword = names.next();
      if (!KNOWN_KEYWORDS.contains(keyword)) {
        throw new IllegalStateException("schema keyword '" + keyword + "' at " + at + " is not supported by this checker");
      }
    }
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asText();
      if (!ref.startsWith("#/components/schemas/")) {
        throw new IllegalStateException("unsupported $ref " + ref);
      }
      check(value, component(ref.substring("#/components/schemas/".length())), at, errors);
      return;
    }
    if (schema.has("anyOf")) {
      for (JsonNode option : schema.get("anyOf")) {
        if (errors(value, option).isEmpty()) {
          return;
        }
      }
      errors.add(at + ": matches none of anyOf " + schema.get("anyOf"));
      return;
    }
    String type = schema.path("type").asText(null);
    if (type != null && !hasType(value, type)) {
      errors.add(at + ": expected " + type + ", got " + value);
      return;
    }
    if (schema.has("enum")) {
      boolean listed = false;
      for (JsonNode allowed : schema.get("enum")) {
        listed |= allowed.equals(value);
      }
      if (!listed) {
        errors.add(at + ": " + value + " is not one of " + schema.get("enum"));
      }
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          errors.add(at + ": missing required property '" + required.asText() + "'");
        }
      }
      JsonNode properties = schema.path("properties");
      for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (properties.has(field.getKey())) {
          check(field.getValue(), properties.get(field.getKey()), at + "." + field.getKey(), errors);
        } else if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
          errors.add(at + ": property '" + field.getKey() + "' is not allowed");
        }
      }
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        check(value.get(i), schema.get("items"), at + "[" + i + "]", errors);
      }
    }
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "number" -> value.isNumber() && Double.isFinite(value.asDouble());
      case "integer" -> value.isIntegralNumber();
      case "boolean" -> value.isBoolean();
      default -> throw new IllegalStateException("unsupported type " + type);
    };
  }
}
