package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.GatewayReference;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.OwnerReferences;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Gateway API HTTPRoute (gateway.networking.k8s.io/v1) that splits a ModelDeployment's traffic exactly between the
 * stable and canary track Services; a generic resource, so the operator does not depend on Gateway API types.
 */
public final class HttpRouteBuilder {
  /** The Gateway API CRD an HTTPRoute needs. */
  public static final String CRD = "httproutes.gateway.networking.k8s.io";

  public static final String API_VERSION = "gateway.networking.k8s.io/v1";
  public static final String KIND = "HTTPRoute";

  private HttpRouteBuilder() {}

  /**
   * @param canaryWeight percent of requests for the canary (clamped to 0..100); ignored without a canary
   * @param canaryPresent whether a canary track exists: if not, the stable Service takes all traffic and is the only
   *     backend; if so, both are listed (at weight 100 the stable one stays, at weight 0)
   */
  public static GenericKubernetesResource build(ModelDeployment mdep, GatewayReference gateway, int canaryWeight, boolean canaryPresent) {
    int weight = Math.max(0, Math.min(100, canaryWeight));
    List<Map<String, Object>> backends = new ArrayList<>();
    backends.add(backend(mdep, Track.STABLE, canaryPresent ? 100 - weight : 100));
    if (canaryPresent) {
      backends.add(backend(mdep, Track.CANARY, weight));
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("parentRefs", List.of(parentRef(gateway)));
    if (gateway.getHostnames() != null && !gateway.getHostnames().isEmpty()) {
      spec.put("hostnames", List.copyOf(gateway.getHostnames()));
    }
    spec.put("rules", List.of(Map.of("backendRefs", backends)));
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(KIND)
        .withNewMetadata()
          .withName(Names.httpRoute(mdep))
          .withNamespace(mdep.getMetadata().getNamespace())
          .withLabels(Labels.serving(mdep))
          .withOwnerReferences(OwnerReferences.controller(mdep))
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  private static Map<String, Object> parentRef(GatewayReference gateway) {
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("name", gateway.getName());
    if (gateway.getNamespace() != null) {
      ref.put("namespace", gateway.getNamespace());
    }
    if (gateway.getSectionName() != null) {
      ref.put("sectionName", gateway.getSectionName());
    }
    return ref;
  }

  private static Map<String, Object> backend(ModelDeployment mdep, Track track, int weight) {
    Map<String, Object> ref = new LinkedHashMap<>();
    ref.put("name", Names.trackService(mdep, track));
    ref.put("port", ServingDeploymentBuilder.PORT);
    ref.put("weight", weight);
    return ref;
  }
}
