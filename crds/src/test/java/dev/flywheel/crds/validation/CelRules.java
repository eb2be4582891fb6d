package dev.flywheel.crds.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates the x-kubernetes-validations rules of a schema at every node of a value, with oldSelf on updates. */
final class CelRules {
  private final KubernetesCel cel = new KubernetesCel();

  /** Checks every rule under schema; oldValue is the stored value at the same path, or null on create. */
  void validate(JsonNode schema, JsonNode value, JsonNode oldValue, String path, List<FieldError> errors) {
    if (value == null || value.isNull()) {
      return;
    }
    for (JsonNode rule : schema.path("x-kubernetes-validations")) {
      String expression = rule.get("rule").asText();
      boolean transition = expression.contains("oldSelf");
      if (transition && oldValue == null) {
        continue;
      }
      Object self = toCel(schema, value);
      Object oldSelf = transition ? toCel(schema, oldValue) : null;
      String fieldPath = rule.path("fieldPath").asText("");
      String field = path.isEmpty() && fieldPath.startsWith(".") ? fieldPath.substring(1) : path + fieldPath;
      if (!cel.holds(expression, self, oldSelf)) {
        String message = rule.has("message") ? rule.get("message").asText() : "failed rule: " + expression;
        errors.add(new FieldError(field, "Invalid value: " + StructuralSchema.render(value) + ": " + message));
      }
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.path("additionalProperties");
    if (value.isObject()) {
      value.fields().forEachRemaining(field -> {
        JsonNode oldChild = oldValue == null ? null : oldValue.get(field.getKey());
        if (properties.has(field.getKey())) {
          validate(properties.get(field.getKey()), field.getValue(), oldChild,
              StructuralSchema.child(path, field.getKey()), errors);
        } else if (additional.isObject()) {
          validate(additional, field.getValue(), oldChild, path + "[" + field.getKey() + "]", errors);
        }
      });
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        validate(schema.path("items"), value.get(i), null, path + "[" + i + "]", errors);
      }
    }
  }

  /** Converts a JSON value to the Java values CEL expects, typed by the schema as Kubernetes types it. */
  static Object toCel(JsonNode schema, JsonNode value) {
    if (value == null || value.isNull()) {
      return dev.cel.common.values.NullValue.NULL_VALUE;
    }
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      JsonNode properties = schema.path("properties");
      value.fields().forEachRemaining(field -> {
        if (properties.has(field.getKey())) {
          map.put(KubernetesCel.escape(field.getKey()), toCel(properties.get(field.getKey()), field.getValue()));
        } else if (schema.path("additionalProperties").isObject() || properties.isMissingNode()) {
          map.put(field.getKey(), toCel(schema.path("additionalProperties"), field.getValue()));
        }
      });
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(item -> list.add(toCel(schema.path("items"), item)));
      return list;
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    if (value.isNumber()) {
      return "number".equals(schema.path("type").asText()) || !value.isIntegralNumber() ? (Object) value.asDouble() : (Object) value.asLong();
    }
    return value.asText();
  }
}
