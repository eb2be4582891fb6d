package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery documents kubectl and the fabric8 client read (legacy, unaggregated form): /version, /api, /api/v1,
 * /apis, /apis/{group} and /apis/{group}/{version}, with verbs, short names, categories and the status and scale
 * subresources of every served kind (built-in and from stored CRDs).
 */
final class Discovery {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private final ResourceTypes types;

  Discovery(ResourceTypes types) {
    this.types = types;
  }

  /** The document at this path, or empty when the path is no discovery path. */
  Optional<JsonNode> document(String path) {
    String trimmed = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
    String[] parts = trimmed.substring(1).split("/");
    if (trimmed.equals("/version")) {
      return Optional.of(version());
    } else if (trimmed.equals("/api")) {
      ObjectNode versions = NODES.objectNode().put("kind", "APIVersions");
      versions.putArray("versions").add("v1");
      versions.putArray("serverAddressByClientCIDRs");
      return Optional.of(versions);
    } else if (trimmed.equals("/api/v1")) {
      return Optional.of(resourceList("", "v1"));
    } else if (trimmed.equals("/apis")) {
      ObjectNode list = NODES.objectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
      ArrayNode groups = list.putArray("groups");
      groupVersions().forEach((group, versions) -> groups.add(group(group, versions)));
      return Optional.of(list);
    } else if (parts.length == 2 && parts[0].equals("apis")) {
      List<String> versions = groupVersions().get(parts[1]);
      return versions == null ? Optional.empty() : Optional.of(group(parts[1], versions));
    } else if (parts.length == 3 && parts[0].equals("apis")) {
      boolean served = types.all().stream().anyMatch(t -> t.group().equals(parts[1]) && t.version().equals(parts[2]));
      return served ? Optional.of(resourceList(parts[1], parts[2])) : Optional.empty();
    }
    return Optional.empty();
  }

  private static ObjectNode version() {
    return NODES.objectNode().put("major", "1").put("minor", "32").put("gitVersion", "v1.32.0-flywheel-sandbox")
        .put("gitCommit", "0000000000000000000000000000000000000000").put("gitTreeState", "clean")
        .put("buildDate", "2026-01-01T00:00:00Z").put("goVersion", "go1.23").put("compiler", "gc")
        .put("platform", "linux/amd64");
  }

  private Map<String, List<String>> groupVersions() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (ResourceType type : types.all()) {
      if (!type.group().isEmpty()) {
        List<String> versions = groups.computeIfAbsent(type.group(), g -> new java.util.ArrayList<>());
        if (!versions.contains(type.version())) {
          versions.add(type.version());
        }
      }
    }
    return groups;
  }

  private static ObjectNode group(String name, List<String> versions) {
    ObjectNode group = NODES.objectNode().put("kind", "APIGroup").put("apiVersion", "v1").put("name", name);
    ArrayNode list = group.putArray("versions");
    versions.forEach(version -> list.addObject().put("groupVersion", name + "/" + version).put("version", version));
    group.putObject("preferredVersion").put("groupVersion", name + "/" + versions.get(0)).put("version", versions.get(0));
    return group;
  }

  private ObjectNode resourceList(String group, String version) {
    ObjectNode list = NODES.objectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode resources = list.putArray("resources");
    for (ResourceType type : types.all()) {
      if (!type.group().equals(group) || !type.version().equals(version)) {
        continue;
      }
      ObjectNode resource = resources.addObject().put("name", type.plural()).put("singularName", type.singular())
          .put("namespaced", type.namespaced()).put("kind", type.kind());
      ArrayNode verbs = resource.putArray("verbs");
      VERBS.forEach(verbs::add);
      if (!type.shortNames().isEmpty()) {
        ArrayNode shortNames = resource.putArray("shortNames");
        type.shortNames().forEach(shortNames::add);
      }
      if (!type.categories().isEmpty()) {
        ArrayNode categories = resource.putArray("categories");
        type.categories().forEach(categories::add);
      }
      if (type.statusSubresource()) {
        subresource(resources, type, "status", type.kind(), null, null);
      }
      if (type.scale() != null) {
        subresource(resources, type, "scale", "Scale", "autoscaling", "v1");
      }
    }
    return list;
  }

  private static void subresource(ArrayNode resources, ResourceType type, String name, String kind, String group, String version) {
    ObjectNode resource = resources.addObject().put("name", type.plural() + "/" + name).put("singularName", "")
        .put("namespaced", type.namespaced()).put("kind", kind);
    if (group != null) {
      resource.put("group", group).put("version", version);
    }
    ArrayNode verbs = resource.putArray("verbs");
    List.of("get", "patch", "update").forEach(verbs::add);
  }
}
