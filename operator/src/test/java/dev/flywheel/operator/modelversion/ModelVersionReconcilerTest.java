package dev.flywheel.operator.modelversion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.site.Site;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.RemoteClusterFixture;
import dev.flywheel.operator.common.RestrictedProfile;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ModelVersion validation and stage transitions against a Kubernetes API (the fabric8 mock server; no Job controller). */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ModelVersionReconcilerTest {
  private static final String NS = "registry";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Inject KubernetesClient client;

  @BeforeEach
  void site() {
    client.resource(Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: Site
        metadata: {name: onprem}
        spec: {type: nodePool, allowedClassifications: [internal, restricted]}
        """, Site.class)).create();
  }

  @AfterEach
  void cleanUp() {
    client.secrets().inAnyNamespace().delete();
    client.resources(ModelVersion.class).inAnyNamespace().delete();
    client.resources(Site.class).delete();
    client.batch().v1().jobs().inAnyNamespace().delete();
    client.pods().inAnyNamespace().delete();
    await().atMost(WAIT).until(() -> client.resources(ModelVersion.class).inAnyNamespace().list().getItems().isEmpty());
  }

  private void register(String name, int version) {
    client.resource(Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: %s, namespace: registry}
        spec:
          model: fraud
          version: %d
          artifact: {uri: "pvc://models/fraud/v%d", digest: "sha256:%s", format: flywheel-mlp}
          classification: restricted
          stage: None
        """.formatted(name, version, version, "ab".repeat(32)), ModelVersion.class)).create();
  }

  private ModelVersion get(String name) {
    return client.resources(ModelVersion.class).inNamespace(NS).withName(name).get();
  }

  /** Plays the Job controller and kubelet for the validation Job of a version. */
  private void validatorFinished(String version, boolean passed, String message) {
    await().atMost(WAIT).until(() -> client.batch().v1().jobs().inNamespace(NS).withName(version + "-validate").get() != null);
    client.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(version + "-validate-p").withNamespace(NS).withLabels(Map.of(Labels.MODEL_VERSION, version)).endMetadata()
        .withNewSpec().addNewContainer().withName("flywheel-model").withImage("flywheel/model").endContainer().endSpec()
        .withNewStatus().addNewContainerStatus().withName("flywheel-model").withNewState().withNewTerminated()
          .withExitCode(passed ? 0 : 1).withMessage(message).withFinishedAt("2026-11-23T10:00:00Z").endTerminated().endState()
        .endContainerStatus().endStatus().build()).create();
    Job job = client.batch().v1().jobs().inNamespace(NS).withName(version + "-validate").get();
    job.setStatus(passed ? new JobStatusBuilder().withSucceeded(1).build()
        : new JobStatusBuilder().withFailed(1).withConditions(new JobConditionBuilder().withType("Failed").withStatus("True").build()).build());
    client.batch().v1().jobs().inNamespace(NS).resource(job).update();
  }

  private void promote(String name, Stage stage) {
    client.resources(ModelVersion.class).inNamespace(NS).withName(name).edit(mv -> {
      mv.getSpec().setStage(stage);
      return mv;
    });
  }

  private String stageLabel(String name) {
    return get(name).getMetadata().getLabels().get(Labels.STAGE);
  }

  @Test
  void validatedVersionsArePromotedAndTheOldProductionVersionIsArchived() {
    register("fraud-v1", 1);
    Job job = await().atMost(WAIT).until(() -> client.batch().v1().jobs().inNamespace(NS).withName("fraud-v1-validate").get(), j -> j != null);
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsExactly("validate", "--bundle", "/mnt/pvc/models/fraud/v1", "--expected-digest", "sha256:" + "ab".repeat(32),
            "--termination-log", "/dev/termination-log");
    assertThat(RestrictedProfile.violations(job.getSpec().getTemplate().getSpec())).isEmpty();

    validatorFinished("fraud-v1", true, "{\"status\":\"Succeeded\",\"digestMatch\":true,\"observedDigest\":\"sha256:" + "ab".repeat(32) + "\",\"smokeTestPassed\":true}");
    await().atMost(WAIT).until(() -> Conditions.isTrue(get("fraud-v1").getStatus().getConditions(), "Validated"));
    assertThat(get("fraud-v1").getStatus().getValidation().getDigestMatch()).isTrue();

    promote("fraud-v1", Stage.Production);
    await().atMost(WAIT).until(() -> "Production".equals(stageLabel("fraud-v1")));
    assertThat(get("fraud-v1").getStatus().getPromotedAt()).isNotNull();
    assertThat(get("fraud-v1").getStatus().getPhase()).isEqualTo("Production");

    register("fraud-v2", 2);
    validatorFinished("fraud-v2", true, "{\"status\":\"Succeeded\",\"digestMatch\":true,\"smokeTestPassed\":true}");
    await().atMost(WAIT).until(() -> Conditions.isTrue(get("fraud-v2").getStatus().getConditions(), "Validated"));
    promote("fraud-v2", Stage.Production);
    await().atMost(WAIT).until(() -> "Production".equals(stageLabel("fraud-v2")) && "Archived".equals(stageLabel("fraud-v1")));
    assertThat(get("fraud-v1").getSpec().getStage()).as("the spec of a version the operator did not create is never edited").isEqualTo(Stage.Production);
    assertThat(get("fraud-v1").getStatus().getStage()).as("at most one effective Production version per model").isEqualTo(Stage.Archived);
    Condition superseded = Conditions.find(get("fraud-v1").getStatus().getConditions(), "Ready").orElseThrow();
    assertThat(superseded.getReason()).isEqualTo("Superseded");
    assertThat(superseded.getMessage()).contains("fraud-v2");
    assertThat(get("fraud-v2").getStatus().getStage()).isEqualTo(Stage.Production);
    assertThat(client.resources(ModelVersion.class).inNamespace(NS).withLabel(Labels.MODEL, "fraud").withLabel(Labels.STAGE, "Production")
        .list().getItems()).extracting(mv -> mv.getMetadata().getName()).containsExactly("fraud-v2");
  }

  @Test
  void aVersionIsValidatedOnARemoteSiteWhenOnlyThatSiteMayHoldItsData() throws Exception {
    try (RemoteClusterFixture remote = new RemoteClusterFixture()) {
      remote.storeKubeconfig(client, "flywheel-system", "cloud-kubeconfig");
      client.resource(Serialization.unmarshal("""
          apiVersion: mlops.flywheel.dev/v1alpha1
          kind: Site
          metadata: {name: cloud}
          spec: {type: remoteCluster, kubeconfigSecretRef: {namespace: flywheel-system, name: cloud-kubeconfig}, namespace: validation, allowedClassifications: [public]}
          """, Site.class)).create();
      client.resource(Serialization.unmarshal("""
          apiVersion: mlops.flywheel.dev/v1alpha1
          kind: ModelVersion
          metadata: {name: weather-v1, namespace: registry}
          spec:
            model: weather
            version: 1
            artifact: {uri: "pvc://models/weather/v1", digest: "sha256:%s"}
            classification: public
          """.formatted("ab".repeat(32)), ModelVersion.class)).create();
      KubernetesClient cloud = remote.client();
      await().atMost(WAIT).until(() -> cloud.batch().v1().jobs().inNamespace("validation").withName("weather-v1-validate").get() != null);
      assertThat(client.batch().v1().jobs().inNamespace(NS).withName("weather-v1-validate").get()).as("not on this cluster").isNull();

      cloud.pods().inNamespace("validation").resource(new PodBuilder()
          .withNewMetadata().withName("weather-v1-validate-p").withNamespace("validation").withLabels(Map.of(Labels.MODEL_VERSION, "weather-v1")).endMetadata()
          .withNewSpec().addNewContainer().withName("flywheel-model").withImage("flywheel/model").endContainer().endSpec()
          .withNewStatus().addNewContainerStatus().withName("flywheel-model").withNewState().withNewTerminated().withExitCode(0)
            .withMessage("{\"status\":\"Succeeded\",\"digestMatch\":true,\"smokeTestPassed\":true}").withFinishedAt("2026-11-23T10:00:00Z")
          .endTerminated().endState().endContainerStatus().endStatus().build()).create();
      Job job = cloud.batch().v1().jobs().inNamespace("validation").withName("weather-v1-validate").get();
      job.setStatus(new JobStatusBuilder().withSucceeded(1).build());
      cloud.batch().v1().jobs().inNamespace("validation").resource(job).update();
      await().atMost(WAIT).until(() -> Conditions.isTrue(get("weather-v1").getStatus().getConditions(), "Validated"));

      client.resources(ModelVersion.class).inNamespace(NS).withName("weather-v1").delete();
      await().atMost(WAIT).until(() -> cloud.batch().v1().jobs().inNamespace("validation").withName("weather-v1-validate").get() == null);
    }
  }

  @Test
  void aVersionWhoseDigestDoesNotMatchIsNeverValidatedNorPromoted() {
    register("fraud-v7", 7);
    validatorFinished("fraud-v7", false, "{\"status\":\"Failed\",\"digestMatch\":false,\"observedDigest\":\"sha256:" + "ef".repeat(32)
        + "\",\"reason\":\"bundle digest mismatch: expected sha256:" + "ab".repeat(32) + ", found sha256:" + "ef".repeat(32) + "\"}");
    await().atMost(WAIT).until(() -> Conditions.find(get("fraud-v7").getStatus().getConditions(), "Validated")
        .map(c -> c.getStatus().name().equals("False")).orElse(false));
    Condition validated = Conditions.find(get("fraud-v7").getStatus().getConditions(), "Validated").orElseThrow();
    assertThat(validated.getReason()).isEqualTo("DigestMismatch");
    assertThat(validated.getMessage()).startsWith("bundle digest mismatch: expected sha256:abab");
    assertThat(get("fraud-v7").getStatus().getPhase()).isEqualTo("Invalid");

    promote("fraud-v7", Stage.Production);
    await().atMost(WAIT).until(() -> Conditions.find(get("fraud-v7").getStatus().getConditions(), "Ready")
        .map(c -> "NotValidated".equals(c.getReason())).orElse(false));
    assertThat(stageLabel("fraud-v7")).isEqualTo("None");
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("PromotionRefused"));
  }
}
