package dev.flywheel.operator.trainingjob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingPhase;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.RemoteClusterFixture;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TrainingJob reconciler against a Kubernetes API (the fabric8 mock server in CRUD mode here; any cluster works).
 * There is no Job controller in the mock, so the tests play its part: they write the Job's status and the trainer
 * pod with its termination message, as the kubelet would.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class TrainingJobReconcilerTest {
  private static final String NS = "ml";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Inject KubernetesClient client;

  @AfterEach
  void cleanUp() {
    client.secrets().inAnyNamespace().delete();
    client.resources(TrainingJob.class).inAnyNamespace().delete();
    client.resources(ModelVersion.class).inAnyNamespace().delete();
    client.resources(Site.class).delete();
    client.batch().v1().jobs().inAnyNamespace().delete();
    client.pods().inAnyNamespace().delete();
    await().atMost(WAIT).until(() -> client.resources(TrainingJob.class).inAnyNamespace().list().getItems().isEmpty());
  }

  private void site(String name, String type, List<String> classifications) {
    String extra = type.equals("remoteCluster") ? "\n  kubeconfigSecretRef: {namespace: flywheel-system, name: " + name + "}" : "";
    client.resource(Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: Site
        metadata: {name: %s}
        spec:
          type: %s%s
          allowedClassifications: %s
          priority: 10
        """.formatted(name, type, extra, classifications), Site.class)).create();
  }

  private TrainingJob trainingJob(String name, String classification, String placement) {
    return client.resource(Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: %s, namespace: ml}
        spec:
          model: churn
          task: binaryClassification
          dataset: {uri: "pvc://customer-data/churn.csv", label: churned, classification: %s}
          output: {uri: "pvc://models"}
          seed: 42
          placement: {site: %s}
        """.formatted(name, classification, placement), TrainingJob.class)).create();
  }

  private TrainingJob get(String name) {
    return client.resources(TrainingJob.class).inNamespace(NS).withName(name).get();
  }

  private Job awaitJob(String trainingJob) {
    await().atMost(WAIT).until(() -> client.batch().v1().jobs().inNamespace(NS).withName(trainingJob + "-train").get() != null);
    return client.batch().v1().jobs().inNamespace(NS).withName(trainingJob + "-train").get();
  }

  /** Plays kubelet and Job controller: the trainer pod terminates with this message, and the Job reports the outcome. */
  private void trainerFinished(String trainingJob, boolean succeeded, String terminationMessage) {
    client.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(trainingJob + "-train-x1").withNamespace(NS).withLabels(Map.of(Labels.TRAINING_JOB, trainingJob)).endMetadata()
        .withNewSpec().addNewContainer().withName("flywheel-model").withImage("flywheel/model").endContainer().endSpec()
        .withNewStatus().withPhase(succeeded ? "Succeeded" : "Failed").addNewContainerStatus().withName("flywheel-model")
          .withNewState().withNewTerminated().withExitCode(succeeded ? 0 : 1).withMessage(terminationMessage)
            .withFinishedAt("2026-11-23T10:00:00Z").endTerminated().endState().endContainerStatus().endStatus()
        .build()).create();
    Job job = client.batch().v1().jobs().inNamespace(NS).withName(trainingJob + "-train").get();
    job.setStatus(succeeded
        ? new JobStatusBuilder().withSucceeded(1).withStartTime("2026-11-23T09:59:00Z").withCompletionTime("2026-11-23T10:00:00Z")
            .withConditions(new JobConditionBuilder().withType("Complete").withStatus("True").build()).build()
        : new JobStatusBuilder().withFailed(2).withStartTime("2026-11-23T09:59:00Z")
            .withConditions(new JobConditionBuilder().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded").build()).build());
    client.batch().v1().jobs().inNamespace(NS).resource(job).update();
  }

  private static final String SUCCESS = "{\"status\":\"Succeeded\",\"bundleDigest\":\"sha256:" + "ab".repeat(32)
      + "\",\"datasetDigest\":\"sha256:" + "cd".repeat(32) + "\",\"metrics\":{\"accuracy\":0.81,\"auc\":0.88,\"f1\":0.79},"
      + "\"hyperparameters\":{\"epochs\":20,\"hiddenLayers\":[64,32]},\"seed\":42}";

  @Test
  void happyPathTrainsOnTheChosenSiteAndRegistersAModelVersion() {
    site("onprem", "nodePool", List.of("public", "internal", "restricted"));
    trainingJob("churn-a", "restricted", "onprem");
    Job job = awaitJob("churn-a");
    assertThat(job.getMetadata().getLabels()).containsEntry(Labels.SITE, "onprem");
    await().atMost(WAIT).until(() -> get("churn-a").getStatus() != null && "onprem".equals(get("churn-a").getStatus().getSite()));
    assertThat(Conditions.find(get("churn-a").getStatus().getConditions(), "Scheduled").map(Condition::getReason)).contains("Placed");

    trainerFinished("churn-a", true, SUCCESS);
    await().atMost(WAIT).until(() -> get("churn-a").getStatus().getPhase() == TrainingPhase.Succeeded);
    TrainingJob done = get("churn-a");
    assertThat(done.getStatus().getModelVersion()).isEqualTo("churn-v1");
    assertThat(done.getStatus().getMetrics()).containsEntry("auc", 0.88);
    assertThat(Conditions.isTrue(done.getStatus().getConditions(), "Ready")).isTrue();

    ModelVersion version = client.resources(ModelVersion.class).inNamespace(NS).withName("churn-v1").get();
    assertThat(version.getSpec().getVersion()).isEqualTo(1);
    assertThat(version.getSpec().getArtifact().getUri()).isEqualTo("pvc://models/churn/churn-a");
    assertThat(version.getSpec().getArtifact().getDigest()).isEqualTo("sha256:" + "ab".repeat(32));
    assertThat(version.getSpec().getClassification()).as("a model inherits its data's classification").isEqualTo(DataClassification.RESTRICTED);
    assertThat(version.getSpec().getLineage().getTrainingJob()).isEqualTo("churn-a");
    assertThat(version.getSpec().getLineage().getDatasetDigest()).isEqualTo("sha256:" + "cd".repeat(32));
    assertThat(version.getMetadata().getLabels()).containsEntry(Labels.MODEL, "churn").containsEntry(Labels.STAGE, "None");

    trainingJob("churn-b", "restricted", "auto");
    awaitJob("churn-b");
    trainerFinished("churn-b", true, SUCCESS);
    await().atMost(WAIT).until(() -> get("churn-b").getStatus().getPhase() == TrainingPhase.Succeeded);
    assertThat(get("churn-b").getStatus().getModelVersion()).as("the next version of the model").isEqualTo("churn-v2");

    touchJob("churn-a");
    touchJob("churn-b");
    await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
    assertThat(client.resources(ModelVersion.class).inNamespace(NS).list().getItems()).as("replayed events register nothing twice").hasSize(2);
    assertThat(client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.COMPONENT, Labels.TRAINING).list().getItems()).hasSize(2);
  }

  @Test
  void losingTheStatusMidWayNeverCreatesASecondJobOrModelVersion() {
    site("onprem", "nodePool", List.of("internal"));
    trainingJob("churn-r", "internal", "auto");
    awaitJob("churn-r");
    await().atMost(WAIT).until(() -> get("churn-r").getStatus() != null && get("churn-r").getStatus().getJobName() != null);
    wipeStatus("churn-r");
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> get("churn-r").getStatus() != null && get("churn-r").getStatus().getJobName() != null);
    assertThat(client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.COMPONENT, Labels.TRAINING).list().getItems())
        .as("an operator that restarts after creating the Job, before writing status, adopts the Job").hasSize(1);

    trainerFinished("churn-r", true, SUCCESS);
    await().atMost(WAIT).until(() -> get("churn-r").getStatus().getPhase() == TrainingPhase.Succeeded);
    wipeStatus("churn-r");
    await().atMost(WAIT).until(() -> get("churn-r").getStatus() != null && get("churn-r").getStatus().getPhase() == TrainingPhase.Succeeded);
    assertThat(get("churn-r").getStatus().getModelVersion()).isEqualTo("churn-v1");
    assertThat(client.resources(ModelVersion.class).inNamespace(NS).list().getItems())
        .as("a restart after registering, before writing status, finds the registered version").hasSize(1);
  }

  @Test
  void anOperatorStoppedBetweenPlacingAndCreatingTheJobCreatesItOnTheRecordedSite() {
    site("onprem", "nodePool", List.of("internal"));
    site("other", "nodePool", List.of("internal"));
    TrainingJob job = Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: churn-half, namespace: ml, annotations: {mlops.flywheel.dev/site: other}}
        spec:
          model: churn
          task: binaryClassification
          dataset: {uri: "pvc://customer-data/churn.csv", label: churned}
          output: {uri: "pvc://models"}
        """, TrainingJob.class);
    client.resource(job).create();
    Job created = awaitJob("churn-half");
    assertThat(created.getMetadata().getLabels()).as("the recorded Site, not a new placement").containsEntry(Labels.SITE, "other");
    await().atMost(WAIT).until(() -> get("churn-half").getStatus() != null && "churn-half-train".equals(get("churn-half").getStatus().getJobName()));
    assertThat(get("churn-half").getStatus().getPhase()).isEqualTo(TrainingPhase.Pending);
  }

  /**
   * What an operator that crashed before its status write leaves behind; then an event on the owned Job makes the
   * reconciler look again, as the resync of a restarted operator does (status-only changes are not events).
   */
  private void wipeStatus(String name) {
    TrainingJob job = get(name);
    job.setStatus(new dev.flywheel.crds.trainingjob.TrainingJobStatus());
    TrainingJob wiped = client.resources(TrainingJob.class).inNamespace(NS).resource(job).updateStatus();
    assertThat(wiped.getStatus().getJobName()).as("status wiped").isNull();
    assertThat(wiped.getStatus().getPhase()).isNull();
    touchJob(name);
  }

  private void touchJob(String trainingJob) {
    client.batch().v1().jobs().inNamespace(NS).withName(trainingJob + "-train").edit(job -> {
      job.getMetadata().getLabels().put("touched", String.valueOf(System.nanoTime()));
      return job;
    });
  }

  @Test
  void deletingATrainingJobDeletesItsJob() {
    site("onprem", "nodePool", List.of("internal"));
    trainingJob("churn-gone", "internal", "auto");
    awaitJob("churn-gone");
    client.resources(TrainingJob.class).inNamespace(NS).withName("churn-gone").delete();
    await().atMost(WAIT).until(() -> client.batch().v1().jobs().inNamespace(NS).withName("churn-gone-train").get() == null);
    await().atMost(WAIT).until(() -> get("churn-gone") == null);
  }

  @Test
  void aRemoteSiteRunsTheJobInItsNamespaceThereAndDeletionCleansUpThere() throws Exception {
    try (RemoteClusterFixture remote = new RemoteClusterFixture()) {
      KubernetesClient cloud = remote.client();
      remote.storeKubeconfig(client, "flywheel-system", "cloud-kubeconfig");
      client.resource(Serialization.unmarshal("""
          apiVersion: mlops.flywheel.dev/v1alpha1
          kind: Site
          metadata: {name: cloud}
          spec:
            type: remoteCluster
            kubeconfigSecretRef: {namespace: flywheel-system, name: cloud-kubeconfig}
            namespace: flywheel-work
            allowedClassifications: [public, internal]
            burst: true
          """, Site.class)).create();
      trainingJob("demand-cloud", "internal", "auto");

      await().atMost(WAIT).until(() -> cloud.batch().v1().jobs().inNamespace("flywheel-work").withName("demand-cloud-train").get() != null);
      Job remoteJob = cloud.batch().v1().jobs().inNamespace("flywheel-work").withName("demand-cloud-train").get();
      assertThat(remoteJob.getMetadata().getOwnerReferences()).as("no owner on another cluster").isEmpty();
      assertThat(remoteJob.getMetadata().getLabels()).containsEntry(Labels.SITE, "cloud");
      assertThat(client.batch().v1().jobs().inNamespace(NS).withName("demand-cloud-train").get()).as("not on this cluster").isNull();
      assertThat(cloud.secrets().inAnyNamespace().list().getItems()).as("nothing is copied to the remote cluster").isEmpty();

      cloud.pods().inNamespace("flywheel-work").resource(new PodBuilder()
          .withNewMetadata().withName("demand-cloud-train-x").withNamespace("flywheel-work").withLabels(Map.of(Labels.TRAINING_JOB, "demand-cloud")).endMetadata()
          .withNewSpec().addNewContainer().withName("flywheel-model").withImage("flywheel/model").endContainer().endSpec()
          .withNewStatus().addNewContainerStatus().withName("flywheel-model").withNewState().withNewTerminated().withExitCode(0)
            .withMessage(SUCCESS).withFinishedAt("2026-11-23T10:00:00Z").endTerminated().endState().endContainerStatus().endStatus()
          .build()).create();
      remoteJob.setStatus(new JobStatusBuilder().withSucceeded(1).withConditions(new JobConditionBuilder().withType("Complete").withStatus("True").build()).build());
      cloud.batch().v1().jobs().inNamespace("flywheel-work").resource(remoteJob).update();

      await().atMost(WAIT).until(() -> get("demand-cloud").getStatus().getPhase() == TrainingPhase.Succeeded);
      assertThat(get("demand-cloud").getStatus().getSite()).isEqualTo("cloud");
      assertThat(client.resources(ModelVersion.class).inNamespace(NS).withLabel(Labels.TRAINING_JOB, "demand-cloud").list().getItems()).hasSize(1);

      client.resources(TrainingJob.class).inNamespace(NS).withName("demand-cloud").delete();
      await().atMost(WAIT).until(() -> cloud.batch().v1().jobs().inNamespace("flywheel-work").withName("demand-cloud-train").get() == null);
      await().atMost(WAIT).until(() -> get("demand-cloud") == null);
    }
  }

  @Test
  void trainerFailureIsReportedWithTheTrainersReason() {
    site("onprem", "nodePool", List.of("internal"));
    trainingJob("churn-bad", "internal", "auto");
    awaitJob("churn-bad");
    trainerFinished("churn-bad", false,
        "{\"status\":\"Failed\",\"reason\":\"label column 'churned' not found (columns: tenure, contract, churn)\"}");
    await().atMost(WAIT).until(() -> get("churn-bad").getStatus().getPhase() == TrainingPhase.Failed);
    Condition failed = Conditions.find(get("churn-bad").getStatus().getConditions(), "Failed").orElseThrow();
    assertThat(failed.getReason()).isEqualTo("TrainingFailed");
    assertThat(failed.getMessage()).isEqualTo("label column 'churned' not found (columns: tenure, contract, churn)");
    assertThat(client.resources(ModelVersion.class).inNamespace(NS).list().getItems()).isEmpty();
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason() + ": " + e.getMessage()).startsWith("TrainingFailed: label column 'churned'"));
  }

  /**
   * A TrainingJob that waited (Scheduled=False NoEligibleSite) is placed once a Site may hold its data; when the
   * status write of that pass is lost (a write conflict, an operator restart), the next pass finds the Job and says
   * Scheduled=True Placed, not the stale reason of the wait, through to Succeeded.
   */
  @Test
  void aJobPlacedAfterWaitingSaysPlacedEvenWhenThePlacingStatusWriteWasLost() {
    site("cloud", "nodePool", List.of("public", "internal"));
    trainingJob("churn-late", "restricted", "auto");
    await().atMost(WAIT).until(() -> get("churn-late").getStatus() != null
        && Conditions.hasReason(get("churn-late").getStatus().getConditions(), "Scheduled", "NoEligibleSite"));
    dev.flywheel.crds.trainingjob.TrainingJobStatus waiting = get("churn-late").getStatus();

    site("onprem", "nodePool", List.of("restricted"));
    awaitJob("churn-late");
    await().atMost(WAIT).until(() -> Conditions.isTrue(get("churn-late").getStatus().getConditions(), "Scheduled"));
    TrainingJob lost = get("churn-late");
    lost.setStatus(waiting);
    client.resources(TrainingJob.class).inNamespace(NS).resource(lost).updateStatus();
    touchJob("churn-late");

    await().atMost(WAIT).until(() -> get("churn-late").getStatus().getJobName() != null);
    Condition scheduled = Conditions.find(get("churn-late").getStatus().getConditions(), "Scheduled").orElseThrow();
    assertThat(scheduled.getStatus()).hasToString("True");
    assertThat(scheduled.getReason()).isEqualTo("Placed");
    assertThat(scheduled.getMessage()).isEqualTo("placed on Site onprem");
    trainerFinished("churn-late", true, SUCCESS);
    await().atMost(WAIT).until(() -> get("churn-late").getStatus().getPhase() == TrainingPhase.Succeeded);
    assertThat(Conditions.find(get("churn-late").getStatus().getConditions(), "Scheduled").map(Condition::getReason)).contains("Placed");
  }

  @Test
  void restrictedDataWaitsUntilASiteMayHoldItAndNeverGoesToTheCloud() {
    site("cloud", "remoteCluster", List.of("public", "internal"));
    trainingJob("churn-wait", "restricted", "auto");
    await().atMost(WAIT).until(() -> get("churn-wait").getStatus() != null && get("churn-wait").getStatus().getPhase() == TrainingPhase.Pending);
    Condition scheduled = Conditions.find(get("churn-wait").getStatus().getConditions(), "Scheduled").orElseThrow();
    assertThat(scheduled.getReason()).isEqualTo("NoEligibleSite");
    assertThat(scheduled.getMessage()).isEqualTo("no Site allows restricted data");
    assertThat(client.batch().v1().jobs().inNamespace(NS).withLabel(Labels.COMPONENT, Labels.TRAINING).list().getItems())
        .as("no Job while no site is eligible").isEmpty();

    trainingJob("demand-remote", "internal", "cloud");
    await().atMost(WAIT).until(() -> get("demand-remote").getStatus() != null && get("demand-remote").getStatus().getPhase() == TrainingPhase.Pending);
    assertThat(Conditions.find(get("demand-remote").getStatus().getConditions(), "Scheduled").map(Condition::getReason)).contains("SiteUnreachable");

    site("onprem", "nodePool", List.of("restricted"));
    Job job = awaitJob("churn-wait");
    assertThat(job.getMetadata().getLabels()).as("placed as soon as a site becomes eligible").containsEntry(Labels.SITE, "onprem");
  }
}
