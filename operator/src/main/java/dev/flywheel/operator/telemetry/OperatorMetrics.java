package dev.flywheel.operator.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The operator's own metrics at /q/metrics, under stable names users alert on ({@link MetricNames}): reconciles,
 * retraining triggers, retrains, rollouts, promotion refusals and each ModelDeployment's state. Thread-safe; label
 * values are bounded ({@link LabelValues}); nothing here throws into a reconciler.
 *
 * <p>Counters a rule takes {@code increase()} of exist at 0 before their first event (Prometheus sees no increase in a
 * series that appears at 1): reconciles for every kind and outcome from the start, a deployment's rollouts from its
 * first {@link #deploymentState}, a trigger's retrains from its first {@link #trigger} or {@link #retrain}.
 */
@ApplicationScoped
public class OperatorMetrics {
  public static final String UPDATED = "updated";
  public static final String UNCHANGED = "unchanged";
  public static final String ERROR = "error";
  public static final String STARTED = "started";
  public static final String PROMOTED = "promoted";
  public static final String REJECTED = "rejected";
  public static final String FAILED = "failed";
  public static final String ROLLED_BACK = "rolled_back";
  public static final String ANALYSIS_FAILED = "analysis_failed";

  /** The kinds that have a reconciler. */
  static final List<String> KINDS = List.of("TrainingJob", "ModelVersion", "ModelDeployment", "Site");
  static final List<String> RECONCILE_OUTCOMES = List.of(UPDATED, UNCHANGED, ERROR);
  static final List<String> RETRAIN_OUTCOMES = List.of(STARTED, PROMOTED, REJECTED, FAILED);
  static final List<String> ROLLOUT_OUTCOMES = List.of(PROMOTED, ROLLED_BACK, ANALYSIS_FAILED);

  private static final Set<String> KIND_SET = Set.copyOf(KINDS);
  private static final Set<String> RECONCILE_SET = Set.copyOf(RECONCILE_OUTCOMES);
  private static final Set<String> RETRAIN_SET = Set.copyOf(RETRAIN_OUTCOMES);
  private static final Set<String> ROLLOUT_SET = Set.copyOf(ROLLOUT_OUTCOMES);
  private static final Map<String, String> DESCRIPTIONS = Map.of(
      MetricNames.RECONCILES, "Reconciliations by kind and outcome: updated (something was written), unchanged, error.",
      MetricNames.RETRAINS, "Retrains by trigger and outcome: started, promoted, rejected (by the promotion gates), failed.",
      MetricNames.ROLLOUTS, "Canary rollouts by outcome: promoted, rolled_back, analysis_failed (held without autoRollback).",
      MetricNames.PROMOTION_REFUSALS, "Promotions of a retrained version refused, by the gate that refused them.");

  private static final String NAMESPACE = "namespace";
  private static final String DEPLOYMENT = "deployment";
  private static final String TRIGGER = "trigger";
  private static final String OUTCOME = "outcome";

  private final MeterRegistry registry;
  private final GaugeCells triggerValue;
  private final GaugeCells triggerFiring;
  private final GaugeCells ready;
  private final GaugeCells degraded;
  private final GaugeCells metricsAvailable;

  @Inject
  public OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    triggerValue = new GaugeCells(registry, MetricNames.TRIGGER_VALUE, "Last measured value of a retraining trigger (no sample when it could not be measured).");
    triggerFiring = new GaugeCells(registry, MetricNames.TRIGGER_FIRING, "1 while a retraining trigger fires (its condition held for its 'for' duration), else 0.");
    ready = new GaugeCells(registry, MetricNames.DEPLOYMENT_READY, "1 while the ModelDeployment is Ready, else 0.");
    degraded = new GaugeCells(registry, MetricNames.DEPLOYMENT_DEGRADED, "1 while the ModelDeployment is Degraded (rolled back, or a failed analysis holds the rollout), else 0.");
    metricsAvailable = new GaugeCells(registry, MetricNames.DEPLOYMENT_METRICS_AVAILABLE,
        "1 when the ModelDeployment's metrics could be read from Prometheus, 0 when not; no sample before the first measurement.");
    for (String kind : KINDS) {
      for (String outcome : RECONCILE_OUTCOMES) {
        reconciles(kind, outcome);
      }
    }
  }

  /** One reconciliation of a resource of this kind ({@code TrainingJob}, …) ended: {@code updated}, {@code unchanged} or {@code error}. */
  public void reconciled(String kind, String outcome) {
    reconciles(LabelValues.oneOf("kind", kind, KIND_SET), LabelValues.oneOf(OUTCOME, outcome, RECONCILE_SET)).increment();
  }

  /**
   * A retraining trigger was evaluated. {@code value} null (or NaN: the query had no number) removes the
   * {@code flywheel_trigger_value} sample rather than exporting NaN, so "not measured" is never mistaken for a number
   * and {@code absent()} finds it; {@code flywheel_trigger_firing} is always set.
   */
  public void trigger(String namespace, String deployment, String trigger, Double value, boolean firing) {
    Tags tags = deploymentTags(namespace, deployment).and(TRIGGER, LabelValues.dnsLabel(TRIGGER, trigger));
    if (value == null || value.isNaN()) {
      triggerValue.remove(tags);
    } else {
      triggerValue.set(tags, value);
    }
    triggerFiring.set(tags, firing ? 1 : 0);
    retrainsFrom(tags);
  }

  /** A retrain started by a trigger, or its result: {@code started}, {@code promoted}, {@code rejected} (by the gates) or {@code failed}. */
  public void retrain(String namespace, String deployment, String trigger, String outcome) {
    Tags tags = deploymentTags(namespace, deployment).and(TRIGGER, LabelValues.dnsLabel(TRIGGER, trigger));
    retrainsFrom(tags);
    counter(MetricNames.RETRAINS, tags.and(OUTCOME, LabelValues.oneOf(OUTCOME, outcome, RETRAIN_SET))).increment();
  }

  /** A canary rollout ended: {@code promoted}, {@code rolled_back} or {@code analysis_failed} (held without autoRollback). */
  public void rollout(String namespace, String deployment, String outcome) {
    Tags tags = deploymentTags(namespace, deployment);
    rolloutsFrom(tags);
    counter(MetricNames.ROLLOUTS, tags.and(OUTCOME, LabelValues.oneOf(OUTCOME, outcome, ROLLOUT_SET))).increment();
  }

  /** A promotion was refused by this gate (an evaluation metric's name, or a built-in gate such as {@code mustBeatCurrent}). */
  public void promotionRefused(String namespace, String deployment, String gate) {
    counter(MetricNames.PROMOTION_REFUSALS, deploymentTags(namespace, deployment).and("gate", LabelValues.gate("gate", gate))).increment();
  }

  /** The ModelDeployment's conditions after a pass; {@code metricsAvailable} null (not measured yet) removes that sample. */
  public void deploymentState(String namespace, String deployment, boolean ready, boolean degraded, Boolean metricsAvailable) {
    Tags tags = deploymentTags(namespace, deployment);
    this.ready.set(tags, ready ? 1 : 0);
    this.degraded.set(tags, degraded ? 1 : 0);
    if (metricsAvailable == null) {
      this.metricsAvailable.remove(tags);
    } else {
      this.metricsAvailable.set(tags, metricsAvailable ? 1 : 0);
    }
    rolloutsFrom(tags);
  }

  /**
   * The ModelDeployment is gone: every gauge of it leaves /q/metrics, and so do its retrain, rollout and refusal
   * counters (else series of deleted deployments pile up for the operator's lifetime; the samples Prometheus already
   * has keep rules over past windows working). A later call about it starts its series again.
   */
  public void forget(String namespace, String deployment) {
    String ns = LabelValues.dnsLabel(NAMESPACE, namespace);
    String name = LabelValues.dnsSubdomain(DEPLOYMENT, deployment);
    Predicate<Tags> ofIt = tags -> has(tags, NAMESPACE, ns) && has(tags, DEPLOYMENT, name);
    for (GaugeCells gauge : List.of(triggerValue, triggerFiring, ready, degraded, metricsAvailable)) {
      gauge.removeWhere(ofIt);
    }
    for (String counter : List.of(MetricNames.RETRAINS, MetricNames.ROLLOUTS, MetricNames.PROMOTION_REFUSALS)) {
      registry.find(counter).tags(NAMESPACE, ns, DEPLOYMENT, name).meters().forEach(registry::remove);
    }
  }

  private Counter reconciles(String kind, String outcome) {
    return counter(MetricNames.RECONCILES, Tags.of("kind", kind, OUTCOME, outcome));
  }

  private void retrainsFrom(Tags triggerTags) {
    for (String outcome : RETRAIN_OUTCOMES) {
      counter(MetricNames.RETRAINS, triggerTags.and(OUTCOME, outcome));
    }
  }

  private void rolloutsFrom(Tags deploymentTags) {
    for (String outcome : ROLLOUT_OUTCOMES) {
      counter(MetricNames.ROLLOUTS, deploymentTags.and(OUTCOME, outcome));
    }
  }

  /** The counter of these labels, registered at 0 the first time; the name already ends in _total, so Prometheus exports it as is. */
  private Counter counter(String name, Tags tags) {
    return Counter.builder(name).description(DESCRIPTIONS.get(name)).tags(tags).register(registry);
  }

  private static Tags deploymentTags(String namespace, String deployment) {
    return Tags.of(NAMESPACE, LabelValues.dnsLabel(NAMESPACE, namespace), DEPLOYMENT, LabelValues.dnsSubdomain(DEPLOYMENT, deployment));
  }

  private static boolean has(Tags tags, String key, String value) {
    return tags.stream().anyMatch(t -> t.getKey().equals(key) && t.getValue().equals(value));
  }
}
