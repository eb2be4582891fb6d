package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Get, list, create, replace, patch (server-side apply emulated: create when absent, else merge; on /status the applied
 * status replaces the stored one) and delete of one kind, with the status subresource; /scale is ScaleSubresource's.
 */
public final class ResourceRequests {
  private final ObjectStore store;
  private final ScaleSubresource scale;

  public ResourceRequests(ObjectStore store) {
    this.store = store;
    this.scale = new ScaleSubresource(store);
  }

  public ApiResponse handle(ApiRequest request, ResourceType type, ResourcePath path) {
    if (AccessReviews.handles(type)) {
      return AccessReviews.review(request, type);
    }
    String namespace = type.namespaced() ? path.namespace() : null;
    if (type.namespaced() && namespace == null && !path.collection()) {
      throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }
    if (path.subresource() != null) {
      return subresource(request, type, path, namespace);
    }
    return switch (request.method()) {
      case "GET" -> path.collection()
          ? ApiResponse.ok(list(type, namespace, request))
          : ApiResponse.ok(store.get(type, namespace, path.name()));
      case "POST" -> {
        requireCollection(path, request);
        yield new ApiResponse(201, store.create(type, namespaceFor(type, namespace), object(request), request.writeOptions()));
      }
      case "PUT" -> ApiResponse.ok(replace(request, type, namespace, path.name(), false));
      case "PATCH" -> patch(request, type, namespace, path.name(), false);
      case "DELETE" -> path.collection() ? deleteCollection(request, type, namespace) : delete(request, type, namespace, path.name());
      default -> throw new ApiException(405, "MethodNotAllowed", request.method() + " is not supported");
    };
  }

  private ApiResponse subresource(ApiRequest request, ResourceType type, ResourcePath path, String namespace) {
    if (path.collection()) {
      throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }
    if (path.subresource().equals("scale") && type.scale() != null) {
      return scale.handle(request, type, namespace, path.name());
    }
    if (!path.subresource().equals("status") || !type.statusSubresource()) {
      throw new ApiException(404, "NotFound", "the server could not find the requested resource");
    }
    return switch (request.method()) {
      case "GET" -> ApiResponse.ok(store.get(type, namespace, path.name()));
      case "PUT" -> ApiResponse.ok(replace(request, type, namespace, path.name(), true));
      case "PATCH" -> patch(request, type, namespace, path.name(), true);
      default -> throw new ApiException(405, "MethodNotAllowed", request.method() + " is not supported on status");
    };
  }

  private ObjectNode list(ResourceType type, String namespace, ApiRequest request) {
    ObjectStore.Listing listing = store.list(type, namespace, Selectors.of(request.param("labelSelector"), request.param("fieldSelector")));
    ObjectNode list = JsonNodeFactory.instance.objectNode();
    list.put("kind", type.kind() + "List").put("apiVersion", type.apiVersion());
    list.putObject("metadata").put("resourceVersion", String.valueOf(listing.resourceVersion()));
    ArrayNode items = list.putArray("items");
    listing.items().forEach(items::add);
    return list;
  }

  private ObjectNode replace(ApiRequest request, ResourceType type, String namespace, String name, boolean status) {
    ObjectNode body = object(request);
    return store.update(type, namespace, name, stored -> body, status, request.writeOptions());
  }

  private ApiResponse patch(ApiRequest request, ResourceType type, String namespace, String name, boolean status) {
    String mediaType = Patches.mediaType(request.contentType());
    JsonNode body = request.json();
    if (!mediaType.startsWith("application/apply-patch")) {
      return ApiResponse.ok(store.update(type, namespace, name, stored -> Patches.apply(mediaType, stored, body), status,
          request.writeOptions()));
    }
    if (!body.isObject()) {
      throw ApiException.badRequest("an apply patch must be an object");
    }
    ObjectNode applied = (ObjectNode) body;
    try {
      return ApiResponse.ok(store.update(type, namespace, name, stored -> status ? withStatusOf(stored, applied)
          : (ObjectNode) Patches.applyMerge(stored, applied), status, request.writeOptions()));
    } catch (ApiException e) {
      if (e.code() != 404 || status) {
        throw e;
      }
      ObjectNode created = applied.deepCopy();
      created.withObject("/metadata").put("name", name);
      return new ApiResponse(201, store.create(type, namespaceFor(type, namespace), created, request.writeOptions()));
    }
  }

  /** The stored object with the applied status in place of its own (what this emulation of apply does on /status). */
  private static ObjectNode withStatusOf(ObjectNode stored, ObjectNode applied) {
    ObjectNode next = stored.deepCopy();
    if (applied.has("status")) {
      next.set("status", applied.get("status"));
    }
    String resourceVersion = applied.path("metadata").path("resourceVersion").asText("");
    if (!resourceVersion.isEmpty()) {
      next.withObject("/metadata").put("resourceVersion", resourceVersion);
    }
    return next;
  }

  private ApiResponse delete(ApiRequest request, ResourceType type, String namespace, String name) {
    JsonNode options = deleteOptions(request);
    String propagation = options.path("propagationPolicy").asText(request.param("propagationPolicy"));
    boolean orphan = "Orphan".equals(propagation) || options.path("orphanDependents").asBoolean(false);
    JsonNode preconditions = options.path("preconditions");
    WriteOptions writeOptions = options.path("dryRun").isArray() && !options.path("dryRun").isEmpty()
        ? new WriteOptions(true, false) : request.writeOptions();
    if (orphan && !writeOptions.dryRun()) {
      new GarbageCollector(store).orphanDependentsOf(store.get(type, namespace, name).at("/metadata/uid").asText());
    }
    ObjectNode deleted = store.delete(type, namespace, name, preconditions.path("uid").asText(null),
        preconditions.path("resourceVersion").asText(null), writeOptions);
    return new ApiResponse(deleted.path("metadata").has("deletionTimestamp") ? 202 : 200, deleted);
  }

  private ApiResponse deleteCollection(ApiRequest request, ResourceType type, String namespace) {
    ObjectStore.Listing listing = store.list(type, namespace, Selectors.of(request.param("labelSelector"), request.param("fieldSelector")));
    ObjectNode list = JsonNodeFactory.instance.objectNode();
    list.put("kind", type.kind() + "List").put("apiVersion", type.apiVersion());
    ArrayNode items = list.putArray("items");
    for (ObjectNode object : listing.items()) {
      try {
        items.add(store.delete(type, object.at("/metadata/namespace").asText(null), object.at("/metadata/name").asText(), null,
            null, request.writeOptions()));
      } catch (ApiException e) {
        if (e.code() != 404) {
          throw e;
        }
      }
    }
    list.putObject("metadata").put("resourceVersion", String.valueOf(listing.resourceVersion()));
    return ApiResponse.ok(list);
  }

  private static JsonNode deleteOptions(ApiRequest request) {
    if (request.body().length == 0) {
      return JsonNodeFactory.instance.objectNode();
    }
    return request.json();
  }

  private static ObjectNode object(ApiRequest request) {
    JsonNode body = request.json();
    if (!body.isObject()) {
      throw ApiException.badRequest("the body must be an object");
    }
    return (ObjectNode) body;
  }

  private static void requireCollection(ResourcePath path, ApiRequest request) {
    if (!path.collection()) {
      throw new ApiException(405, "MethodNotAllowed", request.method() + " is not supported on a single object");
    }
  }

  private static String namespaceFor(ResourceType type, String namespace) {
    if (type.namespaced() && namespace == null) {
      throw ApiException.badRequest("a namespaced object must be created in a namespace");
    }
    return namespace;
  }
}
