package dev.flywheel.crds.docs;

import io.fabric8.kubernetes.api.model.ResourceClaim;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.Map;
import java.util.Optional;

/**
 * What kubectl explain says about the fields of the Kubernetes types that Flywheel's types embed: the fabric8 model
 * classes carry no descriptions, so the CRD generator would leave them empty. Embedding another Kubernetes type
 * (affinity, env, volumes, ...) means describing each of its fields, at every depth, here: the generation fails
 * until then.
 */
public final class KubernetesFieldDescriptions {
  private static final Map<Class<?>, Map<String, String>> FIELDS = Map.of(
      ResourceRequirements.class, Map.of(
          "requests", "Resources the scheduler reserves for the container, by resource name (cpu, memory, "
              + "ephemeral-storage, ...), each a quantity such as 250m or 1Gi. A resource with a limit and no request "
              + "is requested at its limit.",
          "limits", "Most of each resource the container may use, by resource name (cpu, memory, "
              + "ephemeral-storage, ...), each a quantity such as 2 or 4Gi. Above its memory limit the container is "
              + "killed; above its CPU limit it is throttled.",
          "claims", "Dynamic Resource Allocation: entries of the pod's spec.resourceClaims this container may use. "
              + "Flywheel's pods declare no resource claims, so leave this empty."),
      ResourceClaim.class, Map.of(
          "name", "Name of the entry in the pod's spec.resourceClaims that the container uses.",
          "request", "Name of one request in that claim to use; empty means every request of the claim."),
      Toleration.class, Map.of(
          "key", "Taint key this toleration matches. Empty matches every key, and then operator must be Exists.",
          "operator", "How key and value match a taint: Equal (the taint's value equals value; the default) or "
              + "Exists (any value of the key).",
          "value", "Taint value this toleration matches when operator is Equal; empty when operator is Exists.",
          "effect", "Taint effect this toleration matches: NoSchedule, PreferNoSchedule or NoExecute. Empty matches "
              + "every effect.",
          "tolerationSeconds", "For the NoExecute effect only: seconds the pod stays on a node after the taint "
              + "appears before it is evicted. Unset means it is never evicted for this taint; zero or less means "
              + "at once."));

  private KubernetesFieldDescriptions() {}

  /** True for the classes of Kubernetes' own API model (fabric8's), whose fields must be described here. */
  public static boolean isKubernetesType(Class<?> type) {
    return type.getName().startsWith("io.fabric8.kubernetes.api.model.");
  }

  /** The description of one field of a Kubernetes type, if this table has one. */
  public static Optional<String> of(Class<?> type, String field) {
    return Optional.ofNullable(FIELDS.getOrDefault(type, Map.of()).get(field));
  }
}
