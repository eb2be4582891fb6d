package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.OwnerReferences;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus Operator PodMonitor (monitoring.coreos.com/v1) that scrapes /metrics of every serving pod of a
 * ModelDeployment; a generic resource, so the operator does not depend on the Prometheus Operator's types.
 */
public final class PodMonitorBuilder {
  /** The CRD that must exist for a PodMonitor to be created. */
  public static final String CRD = "podmonitors.monitoring.coreos.com";
  public static final String API_VERSION = "monitoring.coreos.com/v1";
  public static final String KIND = "PodMonitor";

  private PodMonitorBuilder() {}

  public static GenericKubernetesResource build(ModelDeployment mdep) {
    String interval = mdep.getSpec().getMonitoring() != null && mdep.getSpec().getMonitoring().getScrapeInterval() != null
        ? mdep.getSpec().getMonitoring().getScrapeInterval() : "15s";
    Map<String, Object> endpoint = new LinkedHashMap<>();
    endpoint.put("port", ServingDeploymentBuilder.PORT_NAME);
    endpoint.put("path", ServingDeploymentBuilder.METRICS_PATH);
    endpoint.put("interval", interval);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("selector", Map.of("matchLabels", Labels.servingSelector(mdep)));
    spec.put("podMetricsEndpoints", List.of(endpoint));
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(API_VERSION)
        .withKind(KIND)
        .withNewMetadata()
          .withName(Names.podMonitor(mdep))
          .withNamespace(mdep.getMetadata().getNamespace())
          .withLabels(Labels.serving(mdep))
          .withOwnerReferences(OwnerReferences.controller(mdep))
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }
}
