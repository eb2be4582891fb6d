package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * OpenAPI v3 as kube-apiserver publishes it, built from the served kinds: /openapi/v3 lists the group versions and
 * /openapi/v3/apis/{group}/{version} (or api/v1) holds each kind's schema (a CRD's openAPIV3Schema with its field
 * descriptions, for kubectl explain) and the PATCH operations with the fieldValidation parameter (so kubectl validates
 * on the server instead of downloading OpenAPI v2).
 */
final class OpenApiDocument {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String PREFIX = "/openapi/v3";

  private final ResourceTypes types;

  OpenApiDocument(ResourceTypes types) {
    this.types = types;
  }

  /** The document at this path, or empty when it is no OpenAPI path. */
  Optional<JsonNode> document(String path) {
    if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
      return Optional.of(root());
    }
    if (!path.startsWith(PREFIX + "/")) {
      return Optional.empty();
    }
    String groupVersion = path.substring(PREFIX.length() + 1);
    List<ResourceType> kinds = types.all().stream().filter(type -> pathOf(type).equals(groupVersion)).toList();
    return kinds.isEmpty() ? Optional.empty() : Optional.of(groupVersionDocument(kinds));
  }

  private static String pathOf(ResourceType type) {
    return type.group().isEmpty() ? "api/" + type.version() : "apis/" + type.group() + "/" + type.version();
  }

  private ObjectNode root() {
    ObjectNode root = NODES.objectNode();
    ObjectNode paths = root.putObject("paths");
    for (ResourceType type : types.all()) {
      String path = pathOf(type);
      if (!paths.has(path)) {
        List<ResourceType> kinds = types.all().stream().filter(t -> pathOf(t).equals(path)).toList();
        String hash = Integer.toHexString(groupVersionDocument(kinds).hashCode());
        paths.putObject(path).put("serverRelativeURL", PREFIX + "/" + path + "?hash=" + hash);
      }
    }
    return root;
  }

  private static ObjectNode groupVersionDocument(List<ResourceType> kinds) {
    ObjectNode document = NODES.objectNode().put("openapi", "3.0.0");
    document.putObject("info").put("title", "Kubernetes").put("version", "v1.32.0");
    ObjectNode paths = document.putObject("paths");
    ObjectNode schemas = document.putObject("components").putObject("schemas");
    for (ResourceType type : kinds) {
      String schemaName = schemaName(type);
      schemas.set(schemaName, schemaOf(type));
      String item = type.collectionPath(type.namespaced() ? "{namespace}" : null) + "/{name}";
      ObjectNode operations = paths.putObject(item);
      operations.set("get", operation(type, schemaName, "read", false));
      operations.set("put", operation(type, schemaName, "replace", false));
      operations.set("patch", operation(type, schemaName, "patch", true));
      operations.set("delete", operation(type, schemaName, "delete", false));
      ObjectNode collection = paths.putObject(type.collectionPath(type.namespaced() ? "{namespace}" : null));
      collection.set("get", operation(type, schemaName, "list", false));
      collection.set("post", operation(type, schemaName, "create", false));
    }
    return document;
  }

  private static ObjectNode operation(ResourceType type, String schemaName, String action, boolean patch) {
    ObjectNode operation = NODES.objectNode().put("operationId", action + type.kind());
    gvk(operation.putObject("x-kubernetes-group-version-kind"), type);
    operation.put("x-kubernetes-action", action);
    ArrayNode parameters = operation.putArray("parameters");
    for (String name : List.of("dryRun", "fieldManager", "fieldValidation")) {
      parameters.addObject().put("name", name).put("in", "query").put("description", name).putObject("schema")
          .put("type", "string").put("uniqueItems", true);
    }
    if (patch) {
      ObjectNode content = operation.putObject("requestBody").putObject("content");
      for (String mediaType : List.of(Patches.JSON_PATCH, Patches.MERGE_PATCH, Patches.APPLY_PATCH)) {
        content.putObject(mediaType).putObject("schema").put("type", "object");
      }
    }
    operation.putObject("responses").putObject("200").put("description", "OK").putObject("content")
        .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + schemaName);
    return operation;
  }

  /** dev.flywheel.mlops.v1alpha1.ModelDeployment for a CRD (reversed group, as kube-apiserver names it). */
  private static String schemaName(ResourceType type) {
    List<String> parts = new java.util.ArrayList<>(List.of(type.group().isEmpty() ? new String[] {"core"} : type.group().split("\\.")));
    java.util.Collections.reverse(parts);
    return String.join(".", parts) + "." + type.version() + "." + type.kind();
  }

  private static ObjectNode schemaOf(ResourceType type) {
    ObjectNode schema = type.schema().isObject() ? type.schema().deepCopy()
        : NODES.objectNode().put("type", "object").put("description", type.kind() + " (built in; no schema in this sandbox API)")
            .put("x-kubernetes-preserve-unknown-fields", true);
    ObjectNode properties = schema.withObject("/properties");
    properties.putObject("apiVersion").put("type", "string").put("description",
        "APIVersion defines the versioned schema of this representation of an object.");
    properties.putObject("kind").put("type", "string").put("description",
        "Kind is a string value representing the REST resource this object represents.");
    properties.putObject("metadata").put("type", "object").put("description",
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");
    gvk(schema.putArray("x-kubernetes-group-version-kind").addObject(), type);
    return schema;
  }

  private static void gvk(ObjectNode node, ResourceType type) {
    node.put("group", type.group()).put("kind", type.kind()).put("version", type.version());
  }
}
