package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixtures.mdep;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus Operator PodMonitor of a ModelDeployment's serving pods. */
class PodMonitorBuilderTest {
  @Test
  void scrapesMetricsOfEveryServingPodAtTheDefaultInterval() {
    GenericKubernetesResource monitor = PodMonitorBuilder.build(mdep("model: churn\nversion: churn-v3\n"));
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getKind()).isEqualTo("PodMonitor");
    assertThat(PodMonitorBuilder.CRD).isEqualTo("podmonitors.monitoring.coreos.com");
    assertThat(monitor.getMetadata().getName()).isEqualTo("churn");
    assertThat(monitor.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("mlops.flywheel.dev/deployment", "churn");
    assertThat(monitor.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelDeployment"));
    assertThat((Map<?, ?>) monitor.get("spec", "selector", "matchLabels")).isEqualTo(Map.of("mlops.flywheel.dev/deployment", "churn"));
    assertThat((List<?>) monitor.get("spec", "podMetricsEndpoints"))
        .isEqualTo(List.of(Map.of("port", "http", "path", "/metrics", "interval", "15s")));
  }

  @Test
  void theSpecsScrapeIntervalAppliesAndTheResourceSerializesAsAPodMonitor() {
    GenericKubernetesResource monitor = PodMonitorBuilder.build(mdep("model: churn\nversion: churn-v3\nmonitoring: {scrapeInterval: 30s}\n"));
    assertThat(Serialization.asYaml(monitor)).contains("kind: \"PodMonitor\"", "interval: \"30s\"", "port: \"http\"");
  }
}
