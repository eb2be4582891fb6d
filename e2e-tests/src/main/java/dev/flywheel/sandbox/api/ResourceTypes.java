package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.flywheel.sandbox.api.ResourceType.ScalePaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The kinds the in-process API serves: the built-in ones the operator, the local node and kubectl use, and every stored CRD. */
public final class ResourceTypes {
  private static final ScalePaths WORKLOAD_SCALE = new ScalePaths(".spec.replicas", ".status.replicas", ".spec.selector");

  private final Map<String, ResourceType> byGroupVersionPlural = new ConcurrentHashMap<>();

  /** A registry holding the built-in kinds. */
  public static ResourceTypes withBuiltIns() {
    ResourceTypes types = new ResourceTypes();
    types.builtIn("", "v1", "Pod", "pods", true, List.of("po"), List.of("all"), true, null);
    types.builtIn("", "v1", "Service", "services", true, List.of("svc"), List.of("all"), true, null);
    types.builtIn("", "v1", "ConfigMap", "configmaps", true, List.of("cm"), List.of(), false, null);
    types.builtIn("", "v1", "Secret", "secrets", true, List.of(), List.of(), false, null);
    types.builtIn("", "v1", "Event", "events", true, List.of("ev"), List.of(), false, null);
    types.builtIn("", "v1", "Endpoints", "endpoints", true, List.of("ep"), List.of(), false, null);
    types.builtIn("", "v1", "ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of(), false, null);
    types.builtIn("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc"), List.of(), true, null);
    types.builtIn("", "v1", "Namespace", "namespaces", false, List.of("ns"), List.of(), true, null);
    types.builtIn("", "v1", "Node", "nodes", false, List.of("no"), List.of(), true, null);
    types.builtIn("apps", "v1", "Deployment", "deployments", true, List.of("deploy"), List.of("all"), true, WORKLOAD_SCALE);
    types.builtIn("apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"), List.of("all"), true, WORKLOAD_SCALE);
    types.builtIn("apps", "v1", "StatefulSet", "statefulsets", true, List.of("sts"), List.of("all"), true, WORKLOAD_SCALE);
    types.builtIn("batch", "v1", "Job", "jobs", true, List.of(), List.of("all"), true, null);
    types.builtIn("batch", "v1", "CronJob", "cronjobs", true, List.of("cj"), List.of("all"), true, null);
    types.builtIn("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of(), false, null);
    types.builtIn("events.k8s.io", "v1", "Event", "events", true, List.of("ev"), List.of(), false, null);
    types.builtIn("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, List.of("pdb"), List.of(), true, null);
    types.builtIn("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false, List.of(),
        List.of(), false, null);
    types.builtIn("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, List.of(),
        List.of(), false, null);
    types.builtIn("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false,
        List.of("crd", "crds"), List.of("api-extensions"), true, null);
    return types;
  }

  private void builtIn(String group, String version, String kind, String plural, boolean namespaced, List<String> shortNames,
      List<String> categories, boolean status, ScalePaths scale) {
    add(new ResourceType(group, version, kind, plural, kind.toLowerCase(), namespaced, shortNames, categories, status, scale,
        MissingNode.getInstance(), MissingNode.getInstance()));
  }

  private void add(ResourceType type) {
    byGroupVersionPlural.put(type.group() + "/" + type.version() + "/" + type.plural(), type);
  }

  /** Serves the kinds of a CustomResourceDefinition (every served version). */
  public void addDefinition(JsonNode crd) {
    for (ResourceType type : fromDefinition(crd)) {
      add(type);
    }
  }

  /** Stops serving the kinds of a deleted CustomResourceDefinition. */
  public void removeDefinition(JsonNode crd) {
    for (ResourceType type : fromDefinition(crd)) {
      byGroupVersionPlural.remove(type.group() + "/" + type.version() + "/" + type.plural());
    }
  }

  static List<ResourceType> fromDefinition(JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    List<ResourceType> types = new ArrayList<>();
    for (JsonNode version : spec.path("versions")) {
      if (!version.path("served").asBoolean(true)) {
        continue;
      }
      JsonNode scale = version.path("subresources").path("scale");
      types.add(new ResourceType(
          spec.path("group").asText(),
          version.path("name").asText(),
          names.path("kind").asText(),
          names.path("plural").asText(),
          names.path("singular").asText(names.path("kind").asText().toLowerCase()),
          !"Cluster".equals(spec.path("scope").asText()),
          texts(names.path("shortNames")),
          texts(names.path("categories")),
          version.path("subresources").has("status"),
          scale.isObject() ? new ScalePaths(scale.path("specReplicasPath").asText(),
              scale.path("statusReplicasPath").asText(), scale.path("labelSelectorPath").asText(null)) : null,
          version.path("additionalPrinterColumns"),
          version.path("schema").path("openAPIV3Schema")));
    }
    return types;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  /** The kind served at /apis/group/version/plural (group empty for /api/v1). */
  public Optional<ResourceType> find(String group, String version, String plural) {
    return Optional.ofNullable(byGroupVersionPlural.get(group + "/" + version + "/" + plural));
  }

  /** Every served kind. */
  public List<ResourceType> all() {
    return byGroupVersionPlural.values().stream()
        .sorted((a, b) -> (a.group() + "/" + a.version() + "/" + a.plural()).compareTo(b.group() + "/" + b.version() + "/" + b.plural()))
        .toList();
  }
}
