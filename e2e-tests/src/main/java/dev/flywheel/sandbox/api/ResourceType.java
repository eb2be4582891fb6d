package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One kind the in-process API serves: where it lives (group, version, plural), how it is named and whether it has the
 * status and scale subresources, printer columns and an OpenAPI schema (CRDs only).
 */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    String singular,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    boolean statusSubresource,
    ScalePaths scale,
    JsonNode printerColumns,
    JsonNode schema) {

  /** Where a scalable kind keeps its replicas and selector (JSONPath-like dotted paths, as in a CRD). */
  public record ScalePaths(String specReplicasPath, String statusReplicasPath, String labelSelectorPath) {}

  /** apps/v1, or v1 for the core group. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The identity of the kind in the store: group and plural (one version is served per kind). */
  public String storeKey() {
    return group + "/" + plural;
  }

  /** The path prefix of its collection in a namespace (or cluster-wide when namespace is null). */
  public String collectionPath(String namespace) {
    String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return namespaced && namespace != null ? prefix + "/namespaces/" + namespace + "/" + plural : prefix + "/" + plural;
  }

  /** The name kubectl uses for its messages: plural.group (plural alone in the core group). */
  public String qualifiedResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /** Kind.group (Kind alone in the core group), as the API server names a kind in errors. */
  public String qualifiedKind() {
    return group.isEmpty() ? kind : kind + "." + group;
  }
}
