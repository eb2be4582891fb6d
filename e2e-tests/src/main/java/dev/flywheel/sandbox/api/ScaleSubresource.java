package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The /scale subresource (autoscaling/v1 Scale) of the kinds that have one: a CRD's scale paths (ModelDeployment) and
 * the workloads' .spec.replicas (Deployment, ReplicaSet, StatefulSet). GET, PUT and PATCH; a write changes only the
 * replicas of the object, with the usual resourceVersion check.
 */
final class ScaleSubresource {
  private final ObjectStore store;

  ScaleSubresource(ObjectStore store) {
    this.store = store;
  }

  ApiResponse handle(ApiRequest request, ResourceType type, String namespace, String name) {
    return switch (request.method()) {
      case "GET" -> ApiResponse.ok(scaleOf(type, store.get(type, namespace, name)));
      case "PUT" -> ApiResponse.ok(write(request, type, namespace, name, current -> request.json()));
      case "PATCH" -> {
        String mediaType = Patches.mediaType(request.contentType());
        JsonNode patch = request.json();
        yield ApiResponse.ok(write(request, type, namespace, name, current -> mediaType.startsWith("application/apply-patch")
            ? Patches.applyMerge(current, patch) : Patches.apply(mediaType, current, patch)));
      }
      default -> throw new ApiException(405, "MethodNotAllowed", request.method() + " is not supported on scale");
    };
  }

  private ObjectNode write(ApiRequest request, ResourceType type, String namespace, String name,
      java.util.function.Function<ObjectNode, JsonNode> newScale) {
    ObjectNode updated = store.update(type, namespace, name, stored -> {
      JsonNode scale = newScale.apply(scaleOf(type, stored));
      JsonNode replicas = scale.path("spec").path("replicas");
      if (!replicas.canConvertToInt() || replicas.asInt() < 0) {
        String message = "Invalid value: " + replicas + ": must be greater than or equal to 0";
        throw new ApiException(422, "Invalid", "Scale.autoscaling \"" + name + "\" is invalid: spec.replicas: " + message, type,
            name, List.of(new ApiException.Cause("FieldValueInvalid", "spec.replicas", message)));
      }
      ObjectNode next = stored.deepCopy();
      set(next, type.scale().specReplicasPath(), JsonNodeFactory.instance.numberNode(replicas.asInt()));
      String resourceVersion = scale.path("metadata").path("resourceVersion").asText("");
      next.withObject("/metadata").put("resourceVersion", resourceVersion.isEmpty()
          ? stored.at("/metadata/resourceVersion").asText() : resourceVersion);
      return next;
    }, false, request.writeOptions());
    return scaleOf(type, updated);
  }

  static ObjectNode scaleOf(ResourceType type, JsonNode object) {
    ObjectNode scale = JsonNodeFactory.instance.objectNode();
    scale.put("kind", "Scale").put("apiVersion", "autoscaling/v1");
    ObjectNode metadata = scale.putObject("metadata");
    for (String field : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
      if (object.path("metadata").has(field)) {
        metadata.set(field, object.path("metadata").get(field));
      }
    }
    scale.putObject("spec").put("replicas", object.at(pointer(type.scale().specReplicasPath())).asInt(0));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", object.at(pointer(type.scale().statusReplicasPath())).asInt(0));
    String selectorPath = type.scale().labelSelectorPath();
    if (selectorPath != null && !selectorPath.isEmpty()) {
      JsonNode selector = object.at(pointer(selectorPath));
      if (selector.isTextual()) {
        status.put("selector", selector.asText());
      } else if (selector.isObject()) {
        status.put("selector", selectorText(selector));
      }
    }
    return scale;
  }

  /** A LabelSelector object as the text form of a label selector. */
  static String selectorText(JsonNode selector) {
    List<String> requirements = new ArrayList<>();
    selector.path("matchLabels").fields().forEachRemaining((Map.Entry<String, JsonNode> label) ->
        requirements.add(label.getKey() + "=" + label.getValue().asText()));
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asText();
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(value -> values.add(value.asText()));
      switch (expression.path("operator").asText()) {
        case "In" -> requirements.add(key + " in (" + String.join(",", values) + ")");
        case "NotIn" -> requirements.add(key + " notin (" + String.join(",", values) + ")");
        case "Exists" -> requirements.add(key);
        case "DoesNotExist" -> requirements.add("!" + key);
        default -> { }
      }
    }
    return String.join(",", requirements);
  }

  /** .spec.replicas as a JSON pointer. */
  static String pointer(String dottedPath) {
    return dottedPath.replace('.', '/');
  }

  private static void set(ObjectNode object, String dottedPath, JsonNode value) {
    String[] parts = dottedPath.substring(1).split("\\.");
    ObjectNode node = object;
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.withObject("/" + parts[i]);
    }
    node.set(parts[parts.length - 1], value);
  }
}
