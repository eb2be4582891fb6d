package dev.flywheel.operator.telemetry;

import java.util.List;

/**
 * The operator's metric names exactly as Prometheus scrapes them from /q/metrics (alerts, the Grafana dashboard and
 * users' queries name these); plain strings with no Micrometer types, so the chart's tests can read them too.
 */
public final class MetricNames {
  /** Counter {kind, outcome}: reconciliations that updated something, changed nothing, or failed. */
  public static final String RECONCILES = "flywheel_operator_reconciles_total";
  /** Gauge {namespace, deployment, trigger}: the retraining trigger's last measured value (no sample when unmeasured). */
  public static final String TRIGGER_VALUE = "flywheel_trigger_value";
  /** Gauge {namespace, deployment, trigger}: 1 while the trigger fires, else 0. */
  public static final String TRIGGER_FIRING = "flywheel_trigger_firing";
  /** Counter {namespace, deployment, trigger, outcome}: retrains started, promoted, rejected by the gates, or failed. */
  public static final String RETRAINS = "flywheel_retrains_total";
  /** Counter {namespace, deployment, outcome}: canary rollouts promoted, rolled back, or held after failed analysis. */
  public static final String ROLLOUTS = "flywheel_rollouts_total";
  /** Counter {namespace, deployment, gate}: promotions refused, by the gate that refused them. */
  public static final String PROMOTION_REFUSALS = "flywheel_promotion_refusals_total";
  /** Gauge {namespace, deployment}: 1 while the ModelDeployment is Ready. */
  public static final String DEPLOYMENT_READY = "flywheel_deployment_ready";
  /** Gauge {namespace, deployment}: 1 while the ModelDeployment is Degraded. */
  public static final String DEPLOYMENT_DEGRADED = "flywheel_deployment_degraded";
  /** Gauge {namespace, deployment}: 1 when its metrics could be read, 0 when not, no sample when not yet known. */
  public static final String DEPLOYMENT_METRICS_AVAILABLE = "flywheel_deployment_metrics_available";

  /** Every name above. */
  public static final List<String> ALL = List.of(RECONCILES, TRIGGER_VALUE, TRIGGER_FIRING, RETRAINS, ROLLOUTS, PROMOTION_REFUSALS,
      DEPLOYMENT_READY, DEPLOYMENT_DEGRADED, DEPLOYMENT_METRICS_AVAILABLE);

  private MetricNames() {}
}
