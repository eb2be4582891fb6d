package dev.flywheel.crds.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.concurrent.ConcurrentHashMap;

/** Applies the defaults of a CRD's openAPIV3Schema and checks a value against it, as kube-apiserver does. */
final class StructuralSchema {
  private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

  private StructuralSchema() {}

  /** Fills absent fields that have a default, depth first, so nested defaults apply to defaulted objects too. */
  static void applyDefaults(JsonNode schema, JsonNode value) {
    if (value instanceof ObjectNode object) {
      JsonNode properties = schema.path("properties");
      properties.fields().forEachRemaining(property -> {
        JsonNode fallback = property.getValue().get("default");
        if (!object.has(property.getKey()) && fallback != null) {
          object.set(property.getKey(), fallback.deepCopy());
        }
      });
      object.fields().forEachRemaining(field -> {
        JsonNode childSchema = properties.has(field.getKey())
            ? properties.get(field.getKey())
            : schema.path("additionalProperties");
        applyDefaults(childSchema, field.getValue());
      });
    } else if (value instanceof ArrayNode array) {
      array.forEach(item -> applyDefaults(schema.path("items"), item));
    }
  }

  /** Checks value against schema; every refusal is added to errors with its field path. */
  static void validate(JsonNode schema, JsonNode value, String path, List<FieldError> errors) {
    if (value.isNull()) {
      if (!schema.path("nullable").asBoolean(false)) {
        errors.add(new FieldError(path, "Invalid value: \"null\": " + path + " in body must be of type " + typeName(schema)));
      }
      return;
    }
    if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
      if (!value.isIntegralNumber() && !value.isTextual()) {
        errors.add(new FieldError(path, "Invalid value: " + render(value) + ": " + path + " in body must be of type integer or string"));
      }
      return;
    }
    String type = schema.path("type").asText("");
    if (!type.isEmpty() && !hasType(value, type)) {
      errors.add(new FieldError(path, "Invalid value: " + render(value) + ": " + path + " in body must be of type " + type + ": \"" + kindOf(value) + "\""));
      return;
    }
    if (schema.has("enum") && !contains(schema.get("enum"), value)) {
      errors.add(new FieldError(path, "Unsupported value: " + render(value) + ": supported values: " + joined(schema.get("enum"))));
      return;
    }
    switch (type) {
      case "string" -> checkString(schema, value.asText(), path, errors);
      case "integer", "number" -> checkNumber(schema, value, path, errors);
      case "array" -> checkArray(schema, (ArrayNode) value, path, errors);
      case "object" -> checkObject(schema, (ObjectNode) value, path, errors);
      default -> { }
    }
  }

  private static void checkString(JsonNode schema, String text, String path, List<FieldError> errors) {
    int length = text.codePointCount(0, text.length());
    if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
      errors.add(new FieldError(path, "Too long: may not be more than " + schema.get("maxLength").asInt() + " bytes"));
    }
    if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
      errors.add(new FieldError(path, "Invalid value: \"" + text + "\": " + path + " in body should be at least " + schema.get("minLength").asInt() + " chars long"));
    }
    if (schema.has("pattern")) {
      String regex = schema.get("pattern").asText();
      if (!PATTERNS.computeIfAbsent(regex, Pattern::compile).matcher(text).find()) {
        errors.add(new FieldError(path, "Invalid value: \"" + text + "\": " + path + " in body should match '" + regex + "'"));
      }
    }
  }

  private static void checkNumber(JsonNode schema, JsonNode value, String path, List<FieldError> errors) {
    double number = value.asDouble();
    if (schema.has("minimum")) {
      double minimum = schema.get("minimum").asDouble();
      boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
      if (exclusive ? number <= minimum : number < minimum) {
        errors.add(new FieldError(path, "Invalid value: " + render(value) + ": " + path + " in body should be greater than "
            + (exclusive ? "" : "or equal to ") + format(minimum)));
      }
    }
    if (schema.has("maximum")) {
      double maximum = schema.get("maximum").asDouble();
      boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
      if (exclusive ? number >= maximum : number > maximum) {
        errors.add(new FieldError(path, "Invalid value: " + render(value) + ": " + path + " in body should be less than "
            + (exclusive ? "" : "or equal to ") + format(maximum)));
      }
    }
  }

  private static void checkArray(JsonNode schema, ArrayNode array, String path, List<FieldError> errors) {
    if (schema.has("maxItems") && array.size() > schema.get("maxItems").asInt()) {
      errors.add(new FieldError(path, "Too many: " + array.size() + ": must have at most " + schema.get("maxItems").asInt() + " items"));
    }
    if (schema.has("minItems") && array.size() < schema.get("minItems").asInt()) {
      errors.add(new FieldError(path, "Invalid value: " + array.size() + ": " + path + " in body should have at least " + schema.get("minItems").asInt() + " items"));
    }
    for (int i = 0; i < array.size(); i++) {
      validate(schema.path("items"), array.get(i), path + "[" + i + "]", errors);
    }
  }

  private static void checkObject(JsonNode schema, ObjectNode object, String path, List<FieldError> errors) {
    for (JsonNode required : schema.path("required")) {
      if (!object.has(required.asText())) {
        errors.add(new FieldError(child(path, required.asText()), "Required value"));
      }
    }
    if (schema.has("maxProperties") && object.size() > schema.get("maxProperties").asInt()) {
      errors.add(new FieldError(path, "Too many: " + object.size() + ": must have at most " + schema.get("maxProperties").asInt() + " items"));
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.get("additionalProperties");
    boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (properties.has(field.getKey())) {
        validate(properties.get(field.getKey()), field.getValue(), child(path, field.getKey()), errors);
      } else if (additional != null && additional.isObject()) {
        validate(additional, field.getValue(), path + "[" + field.getKey() + "]", errors);
      } else if (!preserveUnknown) {
        errors.add(new FieldError(child(path, field.getKey()), "field not declared in schema"));
      }
    }
  }

  static String child(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      default -> true;
    };
  }

  private static String kindOf(JsonNode value) {
    if (value.isObject()) return "object";
    if (value.isArray()) return "array";
    if (value.isTextual()) return "string";
    if (value.isIntegralNumber()) return "integer";
    if (value.isNumber()) return "number";
    if (value.isBoolean()) return "boolean";
    return "null";
  }

  private static String typeName(JsonNode schema) {
    return schema.path("type").asText("any");
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode candidate : values) {
      if (candidate.equals(value) || (candidate.isTextual() && value.isTextual() && candidate.asText().equals(value.asText()))) {
        return true;
      }
    }
    return false;
  }

  private static String joined(JsonNode values) {
    List<String> rendered = new ArrayList<>();
    values.forEach(v -> rendered.add(render(v)));
    return String.join(", ", rendered);
  }

  static String render(JsonNode value) {
    if (value.isTextual()) return "\"" + value.asText() + "\"";
    if (value.isContainerNode()) return "\"" + kindOf(value) + "\"";
    return value.toString();
  }

  private static String format(double number) {
    return number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
  }
}
