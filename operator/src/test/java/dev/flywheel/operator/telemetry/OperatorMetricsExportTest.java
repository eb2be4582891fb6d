package dev.flywheel.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/**
 * The names and labels Prometheus scrapes, through the same Micrometer Prometheus registry the operator runs
 * (Micrometer adds "_total" to a counter only when missing), and promtool's lint of the exposition.
 */
class OperatorMetricsExportTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final OperatorMetrics metrics = new OperatorMetrics(registry);

  static void exerciseEveryMethod(OperatorMetrics metrics) {
    metrics.reconciled("ModelDeployment", OperatorMetrics.UPDATED);
    metrics.trigger("ml", "churn", "drift", 0.31, true);
    metrics.trigger("ml", "churn", "accuracy", null, false);
    metrics.retrain("ml", "churn", "drift", OperatorMetrics.STARTED);
    metrics.rollout("ml", "churn", OperatorMetrics.ROLLED_BACK);
    metrics.promotionRefused("ml", "churn", "auc");
    metrics.deploymentState("ml", "churn", false, true, false);
  }

  @Test
  void everyMetricIsExportedUnderItsListedNameAndType() {
    exerciseEveryMethod(metrics);
    String scrape = registry.scrape();
    for (String name : MetricNames.ALL) {
      String type = name.endsWith("_total") ? "counter" : "gauge";
      assertThat(scrape).contains("# TYPE " + name + " " + type + "\n");
      assertThat(scrape).contains("# HELP " + name + " ");
    }
    assertThat(scrape).doesNotContain("_total_total");
    assertThat(scrape)
        .contains("flywheel_operator_reconciles_total{kind=\"ModelDeployment\",outcome=\"updated\",} 1.0")
        .contains("flywheel_trigger_value{deployment=\"churn\",namespace=\"ml\",trigger=\"drift\",} 0.31")
        .contains("flywheel_trigger_firing{deployment=\"churn\",namespace=\"ml\",trigger=\"accuracy\",} 0.0")
        .doesNotContain("flywheel_trigger_value{deployment=\"churn\",namespace=\"ml\",trigger=\"accuracy\"")
        .contains("flywheel_retrains_total{deployment=\"churn\",namespace=\"ml\",outcome=\"started\",trigger=\"drift\",} 1.0")
        .contains("flywheel_retrains_total{deployment=\"churn\",namespace=\"ml\",outcome=\"failed\",trigger=\"drift\",} 0.0")
        .contains("flywheel_rollouts_total{deployment=\"churn\",namespace=\"ml\",outcome=\"rolled_back\",} 1.0")
        .contains("flywheel_promotion_refusals_total{deployment=\"churn\",gate=\"auc\",namespace=\"ml\",} 1.0")
        .contains("flywheel_deployment_ready{deployment=\"churn\",namespace=\"ml\",} 0.0")
        .contains("flywheel_deployment_degraded{deployment=\"churn\",namespace=\"ml\",} 1.0")
        .contains("flywheel_deployment_metrics_available{deployment=\"churn\",namespace=\"ml\",} 0.0");
  }

  @Test
  void promtoolFindsNothingToLint() throws Exception {
    Promtool.assumeInstalled();
    exerciseEveryMethod(metrics);
    metrics.trigger("ml", "churn", "latency", Double.POSITIVE_INFINITY, true);
    Promtool.Result result = Promtool.checkMetrics(registry.scrape());
    assertThat(result.ok()).as("promtool check metrics: %s", result.output()).isTrue();
  }
}
