package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixture.NS;
import static dev.flywheel.operator.serving.ServingFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.crds.modeldeployment.LastRetrain;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.ModelDeploymentStatus;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingPhase;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.SteppedClock;
import dev.flywheel.operator.metrics.QueryResult;
import dev.flywheel.operator.retraining.RetrainJobBuilder;
import dev.flywheel.operator.common.RestrictedProfile;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop against the mock API server, a stepped clock and a fake metrics source: a trigger that holds for its
 * `for` starts exactly one retraining TrainingJob (a restart with the status lost starts no second), and the version
 * it registers is promoted — and rolled out as a canary — only when every gate holds and it beats the current one.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class RetrainingLoopTest {
  private static final String LOOP = """
      model: churn
      followStage: Production
      rollout:
        strategy: Canary
        steps: [{weight: 50, pause: 10m}, {weight: 100}]
      retraining:
        enabled: true
        triggers:
          - {name: feature-drift, type: drift, threshold: 0.2, for: 5m}
        cooldown: 1h
        maxRetrainsPerDay: 2
        template:
          model: churn
          task: binaryClassification
          dataset: {uri: "pvc://data/churn/", label: churned, classification: internal}
          output: {uri: "pvc://models"}
          placement: {site: onprem}
        promotion:
          auto: true
          gates: [{metric: auc, min: 0.8}]
          mustBeatCurrent: true
      """;

  @Inject KubernetesClient client;
  @Inject SteppedClock clock;
  @Inject FakeMetricsSource metrics;
  @Inject io.micrometer.core.instrument.MeterRegistry registry;

  private ServingFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ServingFixture(client);
    fixture.sites();
    metrics.reset();
  }

  @AfterEach
  void cleanUp() {
    fixture.cleanUp();
  }

  private List<TrainingJob> retrains() {
    return client.resources(TrainingJob.class).inNamespace(NS).withLabel(Labels.DEPLOYMENT, "churn").list().getItems();
  }

  private LastRetrain lastRetrain() {
    ModelDeploymentStatus status = fixture.deployment().getStatus();
    return status == null ? null : status.getLastRetrain();
  }

  /** v1 serves; its drift rises above the threshold and holds for the trigger's `for`: one TrainingJob starts. */
  private TrainingJob driftFires() {
    return driftFires(LOOP);
  }

  private TrainingJob driftFires(String spec) {
    fixture.validatedVersion(1, "internal", "{auc: 0.82}", "{}");
    fixture.promote(1);
    fixture.deploy(spec);
    fixture.awaitChild("churn-stable", "churn-v1", 1);
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "True", null));
    metrics.answer("churn-v1", QueryResult.value(0.35));
    clock.advance(Duration.ofMinutes(1));
    await().atMost(WAIT).until(() -> fixture.deployment().getStatus().getTriggers() != null
        && fixture.deployment().getStatus().getTriggers().get(0).getSince() != null);
    assertThat(retrains()).as("not before the condition held for 5m").isEmpty();
    clock.advance(Duration.ofMinutes(6));
    await().atMost(WAIT).until(() -> retrains().size() == 1);
    return retrains().get(0);
  }

  /** Waits until the TrainingJob reconciler placed the job and created its trainer Job (its status exists). */
  private void placed(TrainingJob job) {
    await().atMost(WAIT).until(() -> {
      TrainingJob live = client.resources(TrainingJob.class).inNamespace(NS).withName(job.getMetadata().getName()).get();
      return live.getStatus() != null && live.getStatus().getJobName() != null;
    });
  }

  /** Plays the trainer: the TrainingJob succeeded and registered version 2 with these metrics, validated. */
  private void retrainRegistered(TrainingJob job, String metrics) {
    placed(job);
    fixture.validatedVersion(2, "internal", metrics, "{%s: %s, %s: %s}".formatted(Labels.MANAGED_BY, Labels.OPERATOR, Labels.TRAINING_JOB,
        job.getMetadata().getName()));
    client.resources(TrainingJob.class).inNamespace(NS).withName(job.getMetadata().getName()).editStatus(tj -> {
      tj.getStatus().setPhase(TrainingPhase.Succeeded);
      tj.getStatus().setModelVersion("churn-v2");
      return tj;
    });
  }

  @Test
  void aTriggerThatHoldsStartsExactlyOneTrainingJobEvenAcrossALostStatus() {
    TrainingJob job = driftFires();
    assertThat(job.getMetadata().getLabels()).containsEntry(RetrainJobBuilder.TRIGGER, "feature-drift").containsEntry(Labels.DEPLOYMENT, "churn");
    assertThat(job.getMetadata().getAnnotations()).containsEntry(RetrainJobBuilder.TRIGGER_VALUE, "0.35");
    assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelDeployment"));
    assertThat(job.getSpec().getDataset().getUri()).isEqualTo("pvc://data/churn/");
    await().atMost(WAIT).until(() -> lastRetrain() != null && "Running".equals(lastRetrain().getOutcome()));
    assertThat(fixture.condition("Retraining", "True", "Running")).isTrue();
    assertThat(client.v1().events().inNamespace(NS).list().getItems()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RetrainStarted"));
    assertThat(registry.find("flywheel_retrains_total").tags("deployment", "churn", "trigger", "feature-drift", "outcome", "started").counter())
        .as("the operator's metric").isNotNull().satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(1.0));
    assertThat(registry.find("flywheel_trigger_firing").tags("deployment", "churn", "trigger", "feature-drift").gauge()).isNotNull();

    // The operator restarts and its status write was lost: the firing holds again, and starts nothing new.
    client.resources(ModelDeployment.class).inNamespace(NS).withName("churn").editStatus(m -> {
      m.setStatus(new ModelDeploymentStatus());
      return m;
    });
    for (int i = 0; i < 4; i++) {
      clock.advance(Duration.ofMinutes(3));
      await().atMost(WAIT).until(() -> fixture.deployment().getStatus().getTriggers() != null);
    }
    await().atMost(WAIT).until(() -> lastRetrain() != null && job.getMetadata().getName().equals(lastRetrain().getTrainingJob()));
    assertThat(retrains()).as("one TrainingJob for one firing").hasSize(1);
    assertThat(fixture.deployment().getStatus().getRetrainsToday()).isEqualTo(1);
  }

  @Test
  void aRetrainedVersionThatBeatsTheCurrentOneIsPromotedAndRolledOutAsACanary() {
    TrainingJob job = driftFires();
    retrainRegistered(job, "{auc: 0.91}");
    await().atMost(WAIT).until(() -> lastRetrain() != null && "Promoted".equals(lastRetrain().getOutcome()));
    assertThat(fixture.version("churn-v2").getSpec().getStage()).as("a version the operator created may be promoted by its spec")
        .isEqualTo(Stage.Production);
    assertThat(fixture.version("churn-v1").getSpec().getStage()).as("the user's version is never edited").isEqualTo(Stage.Production);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    assertThat(fixture.deployment().getStatus().getCanaryVersion()).isEqualTo("churn-v2");
    assertThat(client.v1().events().inNamespace(NS).list().getItems()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RetrainPromoted"));

    clock.advance(Duration.ofMinutes(7));
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> retrains().size() == 1);
    assertThat(fixture.condition("Retraining", "False", null)).isTrue();
  }

  @Test
  void aRetrainedVersionWorseThanTheCurrentOneStaysRegisteredAndTheGateIsNamed() {
    TrainingJob job = driftFires();
    retrainRegistered(job, "{auc: 0.81}");
    await().atMost(WAIT).until(() -> lastRetrain() != null && "Rejected".equals(lastRetrain().getOutcome()));
    assertThat(lastRetrain().getMessage()).contains("mustBeatCurrent:auc").contains("0.8100 < 0.8200").contains("churn-v1");
    assertThat(fixture.version("churn-v2").getSpec().getStage()).isNotEqualTo(Stage.Production);
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> assertThat(e.getReason() + ": " + e.getMessage()).startsWith("PromotionRefused").contains("0.8100"));
    assertThat(fixture.child("churn-canary")).isNull();
  }

  @Test
  void aRetrainedVersionBelowAGateIsRefused() {
    TrainingJob job = driftFires();
    retrainRegistered(job, "{auc: 0.7}");
    await().atMost(WAIT).until(() -> lastRetrain() != null && "Rejected".equals(lastRetrain().getOutcome()));
    assertThat(lastRetrain().getMessage()).contains("gate auc failed: auc = 0.7000 < min 0.8000");
    assertThat(fixture.deployment().getStatus().getCurrentVersion()).isEqualTo("churn-v1");
  }

  @Test
  void onHoldoutDataBothVersionsAreScoredOnTheSameRowsAndTheNumbersDecide() {
    TrainingJob job = driftFires(LOOP.replace("mustBeatCurrent: true", "mustBeatCurrent: true\n    holdoutUris: [\"pvc://data/churn/capture/\"]"));
    retrainRegistered(job, "{auc: 0.91}");
    String name = job.getMetadata().getName() + "-compare";
    Job comparison = await().atMost(WAIT).until(() -> client.batch().v1().jobs().inNamespace(NS).withName(name).get(), j -> j != null);
    assertThat(comparison.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsSubsequence("validate", "--bundle", "/mnt/pvc/models/churn/v2")
        .containsSubsequence("--holdout", "/mnt/pvc/data/churn/capture/")
        .containsSubsequence("--baseline-bundle", "/mnt/pvc/models/churn/v1");
    assertThat(RestrictedProfile.violations(comparison.getSpec().getTemplate().getSpec())).isEmpty();
    await().atMost(WAIT).until(() -> lastRetrain() != null && "Comparing".equals(lastRetrain().getOutcome()));

    // Plays the Job controller and kubelet: on the fresh rows the new version is worse, whatever its own evaluation said.
    client.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(name + "-p").withNamespace(NS).withLabels(Map.of("job-name", name)).endMetadata()
        .withNewSpec().addNewContainer().withName("flywheel-model").withImage("flywheel/model").endContainer().endSpec()
        .withNewStatus().addNewContainerStatus().withName("flywheel-model").withNewState().withNewTerminated().withExitCode(0)
          .withMessage("{\"status\":\"Succeeded\",\"digestMatch\":true,\"holdout\":{\"rows\":500,\"metrics\":{\"auc\":0.74},"
              + "\"baseline\":{\"digest\":\"sha256:ab\",\"metrics\":{\"auc\":0.79}}}}")
          .withFinishedAt("2026-12-01T10:00:00Z").endTerminated().endState().endContainerStatus().endStatus().build()).create();
    comparison.setStatus(new JobStatusBuilder().withSucceeded(1).build());
    client.batch().v1().jobs().inNamespace(NS).resource(comparison).updateStatus();
    await().atMost(WAIT).until(() -> lastRetrain() != null && "Rejected".equals(lastRetrain().getOutcome()));
    assertThat(lastRetrain().getMessage()).contains("0.7400 < 0.7900").contains("on the same 500 holdout rows");
    assertThat(lastRetrain().getCandidateMetrics()).containsEntry("auc", 0.74);
    assertThat(lastRetrain().getCurrentMetrics()).containsEntry("auc", 0.79);
    assertThat(fixture.version("churn-v2").getSpec().getStage()).isNotEqualTo(Stage.Production);
  }

  @Test
  void aConditionThatKeepsHoldingRetrainsAgainAfterTheCooldownAndTheFirstOutcomeStands() {
    TrainingJob first = driftFires();
    placed(first);
    client.resources(TrainingJob.class).inNamespace(NS).withName(first.getMetadata().getName()).editStatus(tj -> {
      tj.getStatus().setPhase(TrainingPhase.Failed);
      tj.getStatus().setMessage("column 'churned' is missing");
      return tj;
    });
    await().atMost(WAIT).until(() -> lastRetrain() != null && "Failed".equals(lastRetrain().getOutcome()));
    assertThat(fixture.condition("Retraining", "False", "Cooldown")).isTrue();
    clock.advance(Duration.ofMinutes(61));
    await().atMost(WAIT).until(() -> retrains().size() == 2);
    await().atMost(WAIT).until(() -> lastRetrain() != null && !first.getMetadata().getName().equals(lastRetrain().getTrainingJob()));
    assertThat(client.v1().events().inNamespace(NS).list().getItems().stream().filter(e -> "RetrainFailed".equals(e.getReason())))
        .singleElement().satisfies(e -> assertThat(e.getCount()).as("the failure is announced once").isEqualTo(1));
    clock.advance(Duration.ofMinutes(61));
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> retrains().size() == 2);
    assertThat(fixture.condition("Retraining", "True", "Running")).as("the second one runs: nothing more starts").isTrue();
  }
}
