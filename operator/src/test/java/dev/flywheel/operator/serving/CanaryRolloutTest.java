package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixture.NS;
import static dev.flywheel.operator.serving.ServingFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.modeldeployment.RolloutStatus;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.SteppedClock;
import dev.flywheel.operator.metrics.QueryResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Canary rollouts against the mock API server with a stepped clock (pauses of ten minutes pass at once) and a fake
 * metrics source: every step, promotion, rollback on a failed analysis, a hold on an inconclusive one, and a newer
 * version replacing a running canary.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CanaryRolloutTest {
  private static final String CANARY = """
      model: churn
      followStage: Production
      replicas: 3
      rollout:
        strategy: Canary
        steps: [{weight: 10, pause: 10m}, {weight: 50, pause: 10m}, {weight: 100}]
        analysisInterval: 1m
        analysis:
          - name: error-rate
            query: sum(rate(flywheel_requests_total{model="{{model}}",version="{{version}}",namespace="{{namespace}}",outcome!="ok"}[5m]))
            max: 0.01
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

  /** v1 serves as the stable version, then v2 is promoted and starts as a canary. */
  private void stableThenCanaryOf(int next) {
    fixture.validatedVersion(1, "internal");
    fixture.promote(1);
    fixture.deploy(CANARY);
    fixture.awaitChild("churn-stable", "churn-v1", 3);
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "True", null));
    fixture.validatedVersion(next, "internal");
    fixture.promote(next);
  }

  private RolloutStatus rollout() {
    return fixture.deployment().getStatus().getRollout();
  }

  @Test
  void aHealthyCanaryStepsThroughEveryWeightAndBecomesStable() {
    stableThenCanaryOf(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    assertThat(fixture.child("churn-stable").getSpec().getReplicas()).as("the stable pods stay until the canary's are ready").isEqualTo(3);
    assertThat(fixture.deployment().getStatus().getCanaryVersion()).isEqualTo("churn-v2");
    assertThat(fixture.condition("Progressing", "True", "Canary")).isTrue();
    fixture.podsReady("churn-canary");
    fixture.awaitChild("churn-stable", "churn-v1", 2);
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    String started = rollout().getStepStartedAt();
    assertThat(fixture.deployment().getStatus().getCanaryWeight()).as("1 of 3 ready pods").isEqualTo(33);
    assertThat(fixture.deployment().getStatus().getCanaryStep()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(5));
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    assertThat(rollout().getStepStartedAt()).as("a look mid-pause neither restarts nor skips it").isEqualTo(started);
    assertThat(metrics.queries()).as("no analysis during the pause").isEmpty();

    clock.advance(Duration.ofMinutes(6));
    await().atMost(WAIT).until(() -> rollout().getStep() == 1);
    assertThat(metrics.queries()).anySatisfy(q -> assertThat(q).contains("version=\"churn-v2\"").contains("namespace=\"serving\""));
    fixture.awaitChild("churn-canary", "churn-v2", 2);
    fixture.podsReady("churn-canary");
    fixture.awaitChild("churn-stable", "churn-v1", 1);
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    clock.advance(Duration.ofMinutes(11));
    await().atMost(WAIT).until(() -> rollout().getStep() == 2);
    fixture.awaitChild("churn-canary", "churn-v2", 3);
    assertThat(fixture.child("churn-stable").getSpec().getReplicas()).as("no capacity dip while the last step's pods start").isEqualTo(1);
    fixture.podsReady("churn-canary");
    await().atMost(WAIT).until(() -> "Promoted".equals(rollout().getPhase()));
    assertThat(fixture.deployment().getStatus().getCurrentVersion()).isEqualTo("churn-v2");

    fixture.awaitChild("churn-stable", "churn-v2", 3);
    assertThat(fixture.child("churn-canary")).as("the canary serves until the stable Deployment runs the new version").isNotNull();
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.child("churn-canary") == null);
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "True", "Serving"));
    assertThat(fixture.deployment().getStatus().getCanaryVersion()).isNull();
    assertThat(client.v1().events().inNamespace(NS).list().getItems()).extracting(e -> e.getReason())
        .contains("CanaryStarted", "CanaryStepAdvanced", "CanaryPromoted", "VersionServing");
  }

  @Test
  void aFailedAnalysisRollsTheCanaryBackAndTheStableVersionNeverStops() {
    metrics.answer("churn-v2", QueryResult.value(0.25));
    stableThenCanaryOf(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    fixture.podsReady("churn-canary");
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    clock.advance(Duration.ofMinutes(11));
    await().atMost(WAIT).until(() -> fixture.condition("Degraded", "True", "RolledBack"));
    Condition degraded = Conditions.find(fixture.deployment().getStatus().getConditions(), "Degraded").orElseThrow();
    assertThat(degraded.getMessage()).contains("error-rate").contains("0.25").contains("0.01");
    fixture.awaitChild("churn-stable", "churn-v1", 3);
    assertThat(fixture.child("churn-canary")).as("the canary's pods stay until the stable ones can take all traffic").isNotNull();
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.child("churn-canary") == null);
    assertThat(fixture.deployment().getStatus().getCurrentVersion()).isEqualTo("churn-v1");
    assertThat(client.v1().events().inNamespace(NS).list().getItems()).anySatisfy(e -> assertThat(e.getReason()).isEqualTo("RolledBack"));
    assertThat(registry.find("flywheel_rollouts_total").tags("deployment", "churn", "outcome", "rolled_back").counter().count())
        .isGreaterThanOrEqualTo(1.0);
    assertThat(registry.find("flywheel_deployment_degraded").tags("deployment", "churn").gauge().value()).isEqualTo(1.0);

    clock.advance(Duration.ofHours(1));
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> fixture.child("churn-canary") == null);
    assertThat(rollout().getRejectedVersion()).as("a rolled-back version is not rolled out again").isEqualTo("churn-v2");
  }

  @Test
  void theRolledBackEventSaysWhichAnalysisFailedAndIsRecordedOnce() {
    metrics.answer("churn-v2", QueryResult.value(0.25));
    stableThenCanaryOf(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    fixture.podsReady("churn-canary");
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    clock.advance(Duration.ofMinutes(11));
    await().atMost(WAIT).until(() -> fixture.condition("Degraded", "True", "RolledBack"));
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "False", "RolledBack"));
    fixture.awaitChild("churn-stable", "churn-v1", 3);
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.child("churn-canary") == null);
    clock.advance(Duration.ofMinutes(1));
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> fixture.child("churn-canary") == null);
    assertThat(client.v1().events().inNamespace(NS).list().getItems()).filteredOn(e -> "RolledBack".equals(e.getReason()))
        .as("kubectl describe shows one RolledBack Event with the failed analysis, its value and its bound")
        .singleElement().satisfies(e -> {
          assertThat(e.getType()).isEqualTo("Warning");
          assertThat(e.getMessage()).contains("churn-v2", "error-rate", "0.25", "0.01");
          assertThat(e.getCount()).isEqualTo(1);
        });
  }

  @Test
  void anInconclusiveAnalysisHoldsTheRolloutAndNeverPromotes() {
    metrics.answer("churn-v2", QueryResult.noData("the query returned no series"));
    stableThenCanaryOf(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    fixture.podsReady("churn-canary");
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    clock.advance(Duration.ofMinutes(11));
    await().atMost(WAIT).until(() -> "Inconclusive".equals(rollout().getPhase()));
    assertThat(fixture.condition("MetricsAvailable", "False", "NoData")).isTrue();
    for (int i = 0; i < 3; i++) {
      int asked = metrics.queries().size();
      clock.advance(Duration.ofMinutes(2));
      await().atMost(WAIT).until(() -> metrics.queries().size() > asked);
    }
    assertThat(rollout().getStep()).as("held at the first step").isZero();
    assertThat(fixture.deployment().getStatus().getCurrentVersion()).isEqualTo("churn-v1");

    metrics.answer("churn-v2", QueryResult.value(0.0));
    clock.advance(Duration.ofMinutes(2));
    await().atMost(WAIT).until(() -> rollout().getStep() == 1);
    assertThat(fixture.condition("MetricsAvailable", "True", null)).isTrue();
  }

  @Test
  void aNewerVersionPromotedDuringACanaryReplacesIt() {
    stableThenCanaryOf(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    fixture.validatedVersion(3, "internal");
    fixture.promote(3);
    fixture.awaitChild("churn-canary", "churn-v3", 1);
    await().atMost(WAIT).until(() -> "churn-v3".equals(rollout().getVersion()) && rollout().getStep() == 0);
    assertThat(fixture.deployment().getStatus().getCurrentVersion()).isEqualTo("churn-v1");
    assertThat(client.v1().events().inNamespace(NS).list().getItems())
        .anySatisfy(e -> assertThat(e.getMessage()).contains("it replaces canary churn-v2"));
  }

  @Test
  void withoutAutoRollbackAFailedAnalysisHoldsTheCanaryAndSaysSo() {
    metrics.answer("churn-v2", QueryResult.value(0.5));
    fixture.validatedVersion(1, "internal");
    fixture.promote(1);
    fixture.deploy(CANARY.replace("max: 0.01", "max: 0.01\n  autoRollback: false"));
    fixture.awaitChild("churn-stable", "churn-v1", 3);
    fixture.podsReady("churn-stable");
    fixture.validatedVersion(2, "internal");
    fixture.promote(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    fixture.podsReady("churn-canary");
    await().atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    clock.advance(Duration.ofMinutes(11));
    await().atMost(WAIT).until(() -> fixture.condition("Degraded", "True", "AnalysisFailed"));
    clock.advance(Duration.ofHours(2));
    await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> fixture.child("churn-canary") != null);
    assertThat(rollout().getPhase()).isEqualTo("Failed");
    assertThat(fixture.deployment().getStatus().getCurrentVersion()).isEqualTo("churn-v1");
  }

  @Test
  void prometheusUnreachableMakesMetricsUnavailableAndNothingIsPromoted() {
    metrics.answer("churn-v2", QueryResult.unreachable("connection refused"));
    stableThenCanaryOf(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    fixture.podsReady("churn-canary");
    await().atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    clock.advance(Duration.ofMinutes(11));
    await().atMost(WAIT).until(() -> fixture.condition("MetricsAvailable", "False", "PrometheusUnreachable"));
    assertThat(Conditions.find(fixture.deployment().getStatus().getConditions(), "MetricsAvailable").get().getMessage())
        .contains("connection refused").contains("no canary step is promoted");
    assertThat(rollout().getStep()).isZero();
  }

  @Test
  void aCanaryWhosePodsNeverStartIsRolledBack() {
    stableThenCanaryOf(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    client.apps().deployments().inNamespace(NS).withName("churn-canary").editStatus(d -> {
      d.setStatus(new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder().withReplicas(1).withUpdatedReplicas(1)
          .addNewCondition().withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded").endCondition().build());
      return d;
    });
    await().atMost(WAIT).until(() -> fixture.condition("Degraded", "True", "RolledBack"));
    assertThat(Conditions.find(fixture.deployment().getStatus().getConditions(), "Degraded").get().getMessage()).contains("progress deadline");
    await().atMost(WAIT).until(() -> fixture.child("churn-canary") == null);
  }

  @Test
  void theServingVersionDeletedMidCanaryKeepsServingAndTheCanaryGoesOn() {
    stableThenCanaryOf(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    client.resources(dev.flywheel.crds.modelversion.ModelVersion.class).inNamespace(NS).withName("churn-v1").delete();
    fixture.podsReady("churn-canary");
    await().atMost(WAIT).until(() -> "Pausing".equals(rollout().getPhase()));
    assertThat(fixture.child("churn-stable").getSpec().getTemplate().getMetadata().getAnnotations())
        .as("the stable Deployment is kept as it is, not rolled to the unanalysed canary").containsEntry("mlops.flywheel.dev/model-version", "churn-v1");
    assertThat(fixture.deployment().getStatus().getCurrentVersion()).isEqualTo("churn-v1");
  }
}
