package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Iterator;
import java.util.Map;

/**
 * The PATCH kinds kube-apiserver takes: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch
 * (merge patch whose lists of named objects merge by name, directives honoured or dropped) and server-side apply
 * (emulated: the applied fields merged into the stored object).
 */
public final class Patches {
  public static final String JSON_PATCH = "application/json-patch+json";
  public static final String MERGE_PATCH = "application/merge-patch+json";
  public static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  public static final String APPLY_PATCH = "application/apply-patch+yaml";

  private Patches() {}

  /** The media type without parameters, or 415 for a kind of patch the API does not take. */
  public static String mediaType(String contentType) {
    String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
    if (type.equals(JSON_PATCH) || type.equals(MERGE_PATCH) || type.equals(STRATEGIC_MERGE_PATCH) || type.equals(APPLY_PATCH)
        || type.equals("application/apply-patch+cbor")) {
      return type;
    }
    throw new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
        + String.join(", ", JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH));
  }

  /** The object after the patch. */
  public static ObjectNode apply(String mediaType, ObjectNode current, JsonNode patch) {
    JsonNode result;
    try {
      result = switch (mediaType) {
        case JSON_PATCH -> JsonPatch.apply(patch, current);
        case STRATEGIC_MERGE_PATCH -> strategicMerge(current, patch);
        default -> mergePatch(current, patch);
      };
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ApiException(422, "Invalid", "the patch could not be applied: " + e.getMessage());
    }
    if (!result.isObject()) {
      throw new ApiException(422, "Invalid", "the patch does not leave an object");
    }
    return (ObjectNode) result;
  }

  /** RFC 7386: objects merge, null removes, anything else replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext();) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  /**
   * Server-side apply, emulated: the applied configuration merged into the stored object (objects merge, lists and
   * values replace); a null is no instruction (fields the applier no longer sets are not removed).
   */
  public static JsonNode applyMerge(JsonNode target, JsonNode applied) {
    if (!applied.isObject()) {
      return applied.deepCopy();
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = applied.fields(); fields.hasNext();) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().isNull()) {
        result.set(field.getKey(), applyMerge(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  /**
   * Strategic merge, simplified: like a merge patch, but a list of objects that all carry "name" merges element by
   * name ($patch: delete removes one); $setElementOrder, $retainKeys and $deleteFromPrimitiveList directives are dropped.
   */
  static JsonNode strategicMerge(JsonNode target, JsonNode patch) {
    if (patch.isArray() && target != null && target.isArray() && allNamed(patch) && allNamed(target)) {
      return mergeNamedLists((ArrayNode) target, (ArrayNode) patch);
    }
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    if ("replace".equals(patch.path("$patch").asText())) {
      ObjectNode replacement = patch.deepCopy();
      replacement.remove("$patch");
      return replacement;
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target.deepCopy() : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext();) {
      Map.Entry<String, JsonNode> field = fields.next();
      String key = field.getKey();
      if (key.startsWith("$")) {
        continue;
      }
      if (field.getValue().isNull()) {
        result.remove(key);
      } else {
        result.set(key, strategicMerge(result.get(key), field.getValue()));
      }
    }
    return result;
  }

  private static boolean allNamed(JsonNode list) {
    for (JsonNode element : list) {
      if (!element.isObject() || !element.hasNonNull("name")) {
        return false;
      }
    }
    return true;
  }

  private static ArrayNode mergeNamedLists(ArrayNode target, ArrayNode patch) {
    ArrayNode result = target.deepCopy();
    for (JsonNode element : patch) {
      String name = element.get("name").asText();
      int index = indexOfName(result, name);
      boolean delete = "delete".equals(element.path("$patch").asText());
      if (delete) {
        if (index >= 0) {
          result.remove(index);
        }
      } else if (index >= 0) {
        result.set(index, strategicMerge(result.get(index), element));
      } else {
        result.add(strategicMerge(null, element));
      }
    }
    return result;
  }

  private static int indexOfName(ArrayNode list, String name) {
    for (int i = 0; i < list.size(); i++) {
      if (name.equals(list.get(i).path("name").asText())) {
        return i;
      }
    }
    return -1;
  }
}
