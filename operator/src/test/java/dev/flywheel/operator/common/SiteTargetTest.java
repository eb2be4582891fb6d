package dev.flywheel.operator.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingJobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Recording a resource's Site against a Kubernetes API (a standalone fabric8 mock server in CRUD mode). */
class SiteTargetTest {
  private RemoteClusterFixture api;
  private KubernetesClient client;

  @BeforeEach
  void startApi() throws Exception {
    api = new RemoteClusterFixture();
    client = api.client();
    try (InputStream crd = getClass().getResourceAsStream("/META-INF/fabric8/trainingjobs.mlops.flywheel.dev-v1.yml")) {
      client.apiextensions().v1().customResourceDefinitions().load(crd).create();
    }
  }

  @AfterEach
  void stopApi() {
    api.close();
  }

  @Test
  void aStaleCopyCannotRecordASecondSite() {
    TrainingJob stale = client.resource(trainingJob()).create();
    TrainingJob fresh = client.resources(TrainingJob.class).inNamespace("ml").withName("churn").get();
    SiteTarget.recordSite(client, TrainingJob.class, fresh, "onprem");

    assertThatThrownBy(() -> SiteTarget.recordSite(client, TrainingJob.class, stale, "cloud"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(SiteTarget.recordedSite(client.resources(TrainingJob.class).inNamespace("ml").withName("churn").get()))
        .as("the Site recorded first stays").isEqualTo("onprem");
  }

  private static TrainingJob trainingJob() {
    return Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: churn, namespace: ml, annotations: {team: risk}}
        spec:
          model: churn
          task: binaryClassification
          dataset: {uri: "pvc://customer-data/churn.csv", label: churned}
          output: {uri: "pvc://models"}
        """, TrainingJob.class);
  }

  @Test
  void recordingTheSiteLeavesTheResourceInHandAtTheStoredVersionSoTheStatusWriteOfThePassSucceeds() {
    TrainingJob inHand = client.resource(trainingJob()).create();

    SiteTarget.recordSite(client, TrainingJob.class, inHand, "onprem");

    TrainingJob stored = client.resources(TrainingJob.class).inNamespace("ml").withName("churn").get();
    assertThat(stored.getMetadata().getAnnotations()).containsEntry(Labels.SITE, "onprem").containsEntry("team", "risk");
    assertThat(inHand.getMetadata().getResourceVersion()).isEqualTo(stored.getMetadata().getResourceVersion());
    assertThat(SiteTarget.recordedSite(inHand)).isEqualTo("onprem");
    TrainingJobStatus status = new TrainingJobStatus();
    status.setSite("onprem");
    inHand.setStatus(status);
    assertThat(client.resource(inHand).updateStatus().getStatus().getSite()).isEqualTo("onprem");
  }
}
