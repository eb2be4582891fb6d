package dev.flywheel.operator.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Recording the chosen Site on a resource, against a Kubernetes API (the fabric8 mock server in CRUD mode). */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SiteTargetTest {
  @Inject KubernetesClient client;

  /**
   * The pass that records the Site then patches the status with the resource in hand: that patch must carry the
   * resourceVersion of the recording write, or a server-side apply status patch conflicts (409) and the status of the
   * placement is lost (a TrainingJob placed after waiting kept Scheduled=False NoEligibleSite).
   */
  @Test
  void theResourceInHandTakesTheRecordedSiteAndItsNewResourceVersion() {
    ConfigMap inHand = client.configMaps().inNamespace("ml").resource(new ConfigMapBuilder()
        .withNewMetadata().withName("placed").withNamespace("ml").addToAnnotations("kept", "yes").endMetadata().build()).create();
    String before = inHand.getMetadata().getResourceVersion();

    SiteTarget.recordSite(client, ConfigMap.class, inHand, "onprem");

    ConfigMap stored = client.configMaps().inNamespace("ml").withName("placed").get();
    assertThat(stored.getMetadata().getAnnotations()).containsEntry(Labels.SITE, "onprem").containsEntry("kept", "yes");
    assertThat(stored.getMetadata().getResourceVersion()).isNotEqualTo(before);
    assertThat(inHand.getMetadata().getResourceVersion()).as("resourceVersion in hand").isEqualTo(stored.getMetadata().getResourceVersion());
    assertThat(SiteTarget.recordedSite(inHand)).as("Site recorded on the resource in hand").isEqualTo("onprem");
  }
}
