package dev.flywheel.operator.retraining;

import dev.flywheel.crds.modeldeployment.Trigger;
import dev.flywheel.crds.modeldeployment.TriggerType;

/**
 * The PromQL each trigger type runs, over the model server's own metrics, scoped to the deployment's namespace,
 * model and current (stable) version — a canary's metrics never fire the stable version's trigger. The operator
 * README lists these templates, so users can read what fires.
 */
public final class TriggerQueries {
  static final String SCOPE = "namespace=\"{{namespace}}\",model=\"{{model}}\",version=\"{{version}}\"";

  /** Largest population stability index of any feature or of the predictions; fires above the threshold. */
  public static final String DRIFT = "max(flywheel_feature_drift_psi{" + SCOPE + "} or flywheel_prediction_drift_psi{" + SCOPE + "})";
  /** Online accuracy from /v1/feedback labels; fires below the threshold. */
  public static final String ACCURACY = "min(flywheel_online_accuracy{" + SCOPE + "})";
  /** Share of inference requests not answered ok over 5 minutes; fires above the threshold. */
  public static final String ERROR_RATE = "sum(rate(flywheel_requests_total{" + SCOPE + ",outcome!=\"ok\"}[5m])) / sum(rate(flywheel_requests_total{"
      + SCOPE + "}[5m]))";
  /** p99 request latency in seconds over 5 minutes; fires above the threshold. */
  public static final String LATENCY = "histogram_quantile(0.99, sum by (le) (rate(flywheel_request_duration_seconds_bucket{" + SCOPE + "}[5m])))";

  private TriggerQueries() {}

  /** The query template of a trigger: its type's, or the user's own for promql. */
  public static String of(Trigger trigger) {
    return switch (trigger.getType()) {
      case DRIFT -> DRIFT;
      case ACCURACY -> ACCURACY;
      case ERROR_RATE -> ERROR_RATE;
      case LATENCY -> LATENCY;
      case PROMQL -> trigger.getQuery();
    };
  }

  /** Whether a value breaches the trigger's threshold: below it for accuracy, above it for every other type. */
  public static boolean breaches(Trigger trigger, double value) {
    return trigger.getType() == TriggerType.ACCURACY ? value < trigger.getThreshold() : value > trigger.getThreshold();
  }
}
