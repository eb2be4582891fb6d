package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.crds.validation.FieldError;
import dev.flywheel.crds.validation.ManifestValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates Flywheel custom resources as kube-apiserver does, with the crds module's ManifestValidator (schema, CEL rules,
 * oldSelf on updates, defaults; nulls pruned first): a refusal is 422 Invalid naming each field; unknown fields are pruned, or refused with
 * 400 under fieldValidation=Strict (kubectl's default).
 */
public final class ResourceValidation implements Admission {
  private static final String UNKNOWN_FIELD = "field not declared in schema";
  private static final Pattern PATH_PART = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

  private final ManifestValidator validator;

  public ResourceValidation(ManifestValidator validator) {
    this.validator = validator;
  }

  @Override
  public ObjectNode admit(ResourceType type, ObjectNode stored, ObjectNode proposed, Write write, WriteOptions options) {
    if (!validator.knows(proposed)) {
      return proposed;
    }
    ObjectNode object = proposed.deepCopy();
    pruneNulls(object);
    for (int attempt = 0; attempt < 2; attempt++) {
      ManifestValidator.Result result = switch (write) {
        case CREATE -> validator.validateCreate(object);
        case UPDATE -> validator.validateUpdate(stored, object);
        case STATUS -> validator.validateStatus(object);
      };
      List<FieldError> unknown = result.errors().stream().filter(e -> e.detail().equals(UNKNOWN_FIELD)).toList();
      if (!unknown.isEmpty() && attempt == 0) {
        if (options.strictFields()) {
          throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
              + type.kind() + ": strict decoding error: "
              + String.join(", ", unknown.stream().map(e -> "unknown field \"" + e.field() + "\"").toList()));
        }
        unknown.forEach(error -> prune(object, error.field()));
        continue;
      }
      if (!result.valid()) {
        throw invalid(type, proposed.path("metadata").path("name").asText(), result.errors());
      }
      return merged(object, result.defaulted(), write);
    }
    throw new IllegalStateException("unreachable");
  }

  /** The validator returns the manifest without status (create, update) or the status alone (status writes). */
  private static ObjectNode merged(ObjectNode proposed, JsonNode defaulted, Write write) {
    if (write == Write.STATUS) {
      ObjectNode object = proposed.deepCopy();
      if (proposed.has("status")) {
        object.set("status", defaulted);
      }
      return object;
    }
    ObjectNode object = ((ObjectNode) defaulted).deepCopy();
    if (proposed.has("status")) {
      object.set("status", proposed.get("status"));
    }
    return object;
  }

  static ApiException invalid(ResourceType type, String name, List<FieldError> errors) {
    List<ApiException.Cause> causes = new ArrayList<>();
    for (FieldError error : errors) {
      causes.add(new ApiException.Cause(reasonOf(error.detail()), error.field(), error.detail()));
    }
    List<String> parts = errors.stream().map(FieldError::toString).toList();
    String summary = parts.size() == 1 ? parts.get(0) : "[" + String.join(", ", parts) + "]";
    return new ApiException(422, "Invalid", type.qualifiedKind() + " \"" + name + "\" is invalid: " + summary, type, name, causes);
  }

  private static String reasonOf(String detail) {
    if (detail.startsWith("Required value")) {
      return "FieldValueRequired";
    } else if (detail.startsWith("Unsupported value")) {
      return "FieldValueNotSupported";
    } else if (detail.startsWith("Forbidden")) {
      return "FieldValueForbidden";
    } else if (detail.startsWith("Too long")) {
      return "FieldValueTooLong";
    } else if (detail.startsWith("Too many")) {
      return "FieldValueTooMany";
    }
    return "FieldValueInvalid";
  }

  /** No field of the Flywheel CRDs is nullable: kube-apiserver prunes null values before defaulting and validation. */
  private static void pruneNulls(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<String> nulls = new ArrayList<>();
      object.fields().forEachRemaining(field -> {
        if (field.getValue().isNull()) {
          nulls.add(field.getKey());
        }
      });
      object.remove(nulls);
      object.forEach(ResourceValidation::pruneNulls);
    } else if (node instanceof ArrayNode array) {
      array.forEach(ResourceValidation::pruneNulls);
    }
  }

  /** Removes the field at a path such as spec.steps[0].weight. */
  private static void prune(ObjectNode object, String path) {
    List<String> parts = new ArrayList<>();
    Matcher matcher = PATH_PART.matcher(path);
    while (matcher.find()) {
      parts.add(matcher.group(1) != null ? matcher.group(1) : "#" + matcher.group(2));
    }
    JsonNode node = object;
    for (int i = 0; i < parts.size() - 1 && node != null; i++) {
      String part = parts.get(i);
      node = part.startsWith("#") ? node.get(Integer.parseInt(part.substring(1))) : node.get(part);
    }
    String last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
    if (node instanceof ObjectNode parent && last != null && !last.startsWith("#")) {
      parent.remove(last);
    } else if (node instanceof ArrayNode array && last != null && last.startsWith("#")) {
      array.remove(Integer.parseInt(last.substring(1)));
    }
  }
}
