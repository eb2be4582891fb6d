package dev.flywheel.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each method of OperatorMetrics records, with which labels, and what forget() leaves behind (a SimpleMeterRegistry). */
class OperatorMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final OperatorMetrics metrics = new OperatorMetrics(registry);

  private double count(String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    assertThat(counter).as("%s %s", name, List.of(tags)).isNotNull();
    return counter.count();
  }

  private Double gauge(String name, String... tags) {
    Gauge gauge = registry.find(name).tags(tags).gauge();
    return gauge == null ? null : gauge.value();
  }

  private Collection<Meter> meters(String name) {
    return registry.find(name).meters();
  }

  @Test
  void reconcilesAreCountedByKindAndOutcomeAndEverySeriesStartsAtZero() {
    assertThat(meters(MetricNames.RECONCILES)).as("4 kinds x 3 outcomes, before any reconcile").hasSize(12)
        .allSatisfy(m -> assertThat(((Counter) m).count()).isZero());
    metrics.reconciled("ModelDeployment", OperatorMetrics.UPDATED);
    metrics.reconciled("ModelDeployment", OperatorMetrics.UPDATED);
    metrics.reconciled("Site", OperatorMetrics.ERROR);
    assertThat(count(MetricNames.RECONCILES, "kind", "ModelDeployment", "outcome", "updated")).isEqualTo(2);
    assertThat(count(MetricNames.RECONCILES, "kind", "Site", "outcome", "error")).isEqualTo(1);
    assertThat(count(MetricNames.RECONCILES, "kind", "TrainingJob", "outcome", "unchanged")).isZero();
  }

  @Test
  void unknownKindsAndOutcomesBecomeOneOtherSeriesNotNewOnes() {
    metrics.reconciled("Pod", "updated");
    metrics.reconciled("ModelDeployment", "exploded");
    metrics.reconciled("ModelDeployment", "exploded again");
    metrics.reconciled(null, null);
    assertThat(count(MetricNames.RECONCILES, "kind", "_other", "outcome", "updated")).isEqualTo(1);
    assertThat(count(MetricNames.RECONCILES, "kind", "ModelDeployment", "outcome", "_other")).isEqualTo(2);
    assertThat(count(MetricNames.RECONCILES, "kind", "_other", "outcome", "_other")).isEqualTo(1);
    assertThat(meters(MetricNames.RECONCILES)).hasSize(15);
  }

  @Test
  void aTriggerExportsItsValueAndWhetherItFires() {
    metrics.trigger("ml", "churn", "drift", 0.31, true);
    assertThat(gauge(MetricNames.TRIGGER_VALUE, "namespace", "ml", "deployment", "churn", "trigger", "drift")).isEqualTo(0.31);
    assertThat(gauge(MetricNames.TRIGGER_FIRING, "namespace", "ml", "deployment", "churn", "trigger", "drift")).isEqualTo(1.0);
    metrics.trigger("ml", "churn", "drift", 0.05, false);
    assertThat(gauge(MetricNames.TRIGGER_VALUE, "trigger", "drift")).isEqualTo(0.05);
    assertThat(gauge(MetricNames.TRIGGER_FIRING, "trigger", "drift")).isZero();
    metrics.trigger("ml", "churn", "latency", Double.POSITIVE_INFINITY, true);
    assertThat(gauge(MetricNames.TRIGGER_VALUE, "trigger", "latency")).as("+Inf is a value (p99 in the last bucket)").isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(meters(MetricNames.TRIGGER_VALUE)).hasSize(2);
  }

  @Test
  void aTriggerWithoutAValueHasNoValueSampleButStillSaysWhetherItFires() {
    metrics.trigger("ml", "churn", "drift", 0.31, true);
    metrics.trigger("ml", "churn", "drift", null, false);
    assertThat(gauge(MetricNames.TRIGGER_VALUE, "trigger", "drift")).as("removed, not NaN").isNull();
    assertThat(gauge(MetricNames.TRIGGER_FIRING, "trigger", "drift")).isZero();
    metrics.trigger("ml", "churn", "drift", Double.NaN, false);
    assertThat(meters(MetricNames.TRIGGER_VALUE)).as("NaN is no value either").isEmpty();
    metrics.trigger("ml", "churn", "drift", 0.2, false);
    assertThat(gauge(MetricNames.TRIGGER_VALUE, "trigger", "drift")).as("back once measured").isEqualTo(0.2);
  }

  @Test
  void retrainsAreCountedByTriggerAndOutcomeFromZero() {
    metrics.trigger("ml", "churn", "accuracy", 0.71, true);
    assertThat(meters(MetricNames.RETRAINS)).as("every outcome of the trigger exists at 0 before its first retrain").hasSize(4)
        .allSatisfy(m -> assertThat(((Counter) m).count()).isZero());
    metrics.retrain("ml", "churn", "accuracy", OperatorMetrics.STARTED);
    metrics.retrain("ml", "churn", "accuracy", OperatorMetrics.FAILED);
    metrics.retrain("ml", "churn", "drift", OperatorMetrics.STARTED);
    metrics.retrain("ml", "churn", "drift", OperatorMetrics.REJECTED);
    assertThat(count(MetricNames.RETRAINS, "namespace", "ml", "deployment", "churn", "trigger", "accuracy", "outcome", "failed")).isEqualTo(1);
    assertThat(count(MetricNames.RETRAINS, "trigger", "drift", "outcome", "rejected")).isEqualTo(1);
    assertThat(count(MetricNames.RETRAINS, "trigger", "drift", "outcome", "promoted")).isZero();
    metrics.retrain("ml", "churn", "drift", "succeeded");
    assertThat(count(MetricNames.RETRAINS, "trigger", "drift", "outcome", "_other")).isEqualTo(1);
  }

  @Test
  void rolloutsAreCountedByOutcomeAndExistAtZeroOnceTheDeploymentIsSeen() {
    metrics.deploymentState("ml", "churn", true, false, null);
    assertThat(meters(MetricNames.ROLLOUTS)).hasSize(3).allSatisfy(m -> assertThat(((Counter) m).count()).isZero());
    metrics.rollout("ml", "churn", OperatorMetrics.ROLLED_BACK);
    metrics.rollout("ml", "churn", OperatorMetrics.PROMOTED);
    metrics.rollout("ml", "fraud", OperatorMetrics.ANALYSIS_FAILED);
    assertThat(count(MetricNames.ROLLOUTS, "namespace", "ml", "deployment", "churn", "outcome", "rolled_back")).isEqualTo(1);
    assertThat(count(MetricNames.ROLLOUTS, "deployment", "churn", "outcome", "promoted")).isEqualTo(1);
    assertThat(count(MetricNames.ROLLOUTS, "deployment", "fraud", "outcome", "analysis_failed")).isEqualTo(1);
    assertThat(count(MetricNames.ROLLOUTS, "deployment", "fraud", "outcome", "rolled_back")).as("a first rollout creates its siblings at 0").isZero();
  }

  @Test
  void promotionRefusalsAreCountedByGate() {
    metrics.promotionRefused("ml", "churn", "auc");
    metrics.promotionRefused("ml", "churn", "auc");
    metrics.promotionRefused("ml", "churn", "mustBeatCurrent");
    metrics.promotionRefused("ml", "churn", "x".repeat(64));
    assertThat(count(MetricNames.PROMOTION_REFUSALS, "namespace", "ml", "deployment", "churn", "gate", "auc")).isEqualTo(2);
    assertThat(count(MetricNames.PROMOTION_REFUSALS, "gate", "mustBeatCurrent")).isEqualTo(1);
    assertThat(count(MetricNames.PROMOTION_REFUSALS, "gate", "_other")).as("longer than a gate's metric may be").isEqualTo(1);
  }

  @Test
  void deploymentStateIsZeroOrOneAndUnknownMetricsHaveNoSample() {
    metrics.deploymentState("ml", "churn", false, true, null);
    assertThat(gauge(MetricNames.DEPLOYMENT_READY, "namespace", "ml", "deployment", "churn")).isZero();
    assertThat(gauge(MetricNames.DEPLOYMENT_DEGRADED, "namespace", "ml", "deployment", "churn")).isEqualTo(1.0);
    assertThat(gauge(MetricNames.DEPLOYMENT_METRICS_AVAILABLE, "deployment", "churn")).isNull();
    metrics.deploymentState("ml", "churn", true, false, false);
    assertThat(gauge(MetricNames.DEPLOYMENT_READY, "deployment", "churn")).isEqualTo(1.0);
    assertThat(gauge(MetricNames.DEPLOYMENT_DEGRADED, "deployment", "churn")).isZero();
    assertThat(gauge(MetricNames.DEPLOYMENT_METRICS_AVAILABLE, "deployment", "churn")).isZero();
    metrics.deploymentState("ml", "churn", true, false, true);
    assertThat(gauge(MetricNames.DEPLOYMENT_METRICS_AVAILABLE, "deployment", "churn")).isEqualTo(1.0);
    metrics.deploymentState("ml", "churn", true, false, null);
    assertThat(gauge(MetricNames.DEPLOYMENT_METRICS_AVAILABLE, "deployment", "churn")).isNull();
    assertThat(meters(MetricNames.DEPLOYMENT_READY)).hasSize(1);
  }

  @Test
  void forgetRemovesEverySeriesOfThatDeploymentAndNoOther() {
    for (String deployment : List.of("churn", "fraud")) {
      metrics.deploymentState("ml", deployment, true, false, true);
      metrics.trigger("ml", deployment, "drift", 0.1, false);
      metrics.trigger("ml", deployment, "accuracy", null, false);
      metrics.retrain("ml", deployment, "drift", OperatorMetrics.STARTED);
      metrics.rollout("ml", deployment, OperatorMetrics.PROMOTED);
      metrics.promotionRefused("ml", deployment, "auc");
    }
    metrics.deploymentState("other-ns", "churn", true, false, true);
    metrics.reconciled("ModelDeployment", OperatorMetrics.UPDATED);

    metrics.forget("ml", "churn");

    List<String> perDeployment = MetricNames.ALL.stream().filter(n -> !n.equals(MetricNames.RECONCILES)).toList();
    for (String name : perDeployment) {
      assertThat(registry.find(name).tags("namespace", "ml", "deployment", "churn").meters()).as(name).isEmpty();
      assertThat(registry.find(name).tags("namespace", "ml", "deployment", "fraud").meters()).as(name).isNotEmpty();
    }
    assertThat(gauge(MetricNames.DEPLOYMENT_READY, "namespace", "other-ns", "deployment", "churn")).as("same name, other namespace").isEqualTo(1.0);
    assertThat(count(MetricNames.RECONCILES, "kind", "ModelDeployment", "outcome", "updated")).as("not per deployment").isEqualTo(1);

    metrics.deploymentState("ml", "churn", false, false, null);
    assertThat(gauge(MetricNames.DEPLOYMENT_READY, "namespace", "ml", "deployment", "churn")).as("a later call starts it again").isZero();
    assertThat(count(MetricNames.ROLLOUTS, "namespace", "ml", "deployment", "churn", "outcome", "promoted")).as("from 0").isZero();
  }

  @Test
  void forgettingAnUnknownDeploymentChangesNothing() {
    metrics.deploymentState("ml", "churn", true, false, true);
    metrics.forget("ml", "never-seen");
    metrics.forget(null, null);
    assertThat(meters(MetricNames.DEPLOYMENT_READY)).hasSize(1);
  }

  @Test
  void namesThatAreNotKubernetesNamesBecomeOther() {
    metrics.deploymentState("ML", "churn", true, false, true);
    metrics.deploymentState("ml", "Churn_Model", true, false, true);
    metrics.deploymentState("ml", "a".repeat(254), true, false, true);
    metrics.trigger("ml", "churn", "drift detector", 1.0, true);
    metrics.trigger("ml", "churn", "t".repeat(64), 1.0, true);
    assertThat(gauge(MetricNames.DEPLOYMENT_READY, "namespace", "_other", "deployment", "churn")).isEqualTo(1.0);
    assertThat(meters(MetricNames.DEPLOYMENT_READY)).extracting(m -> m.getId().getTag("deployment"))
        .containsExactlyInAnyOrder("churn", "_other");
    assertThat(meters(MetricNames.TRIGGER_VALUE)).singleElement().satisfies(m -> assertThat(m.getId().getTag("trigger")).isEqualTo("_other"));
    metrics.deploymentState("ml", "churn.v2", true, false, true);
    metrics.deploymentState("ml", "d".repeat(253), true, false, true);
    assertThat(meters(MetricNames.DEPLOYMENT_READY)).as("subdomains up to 253 characters are names").hasSize(4);
  }
}
