package dev.flywheel.operator.retraining;

import dev.flywheel.crds.common.Durations;
import dev.flywheel.crds.modeldeployment.Trigger;
import dev.flywheel.crds.modeldeployment.TriggerStatus;
import dev.flywheel.operator.common.Timestamps;
import dev.flywheel.operator.metrics.QueryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One evaluation of one trigger, with the semantics of a Prometheus alerting rule's {@code for}: the condition must
 * hold at every evaluation for the whole duration before the trigger fires; one evaluation where it does not is a
 * break that starts the clock again. Metrics that are unavailable (no data, NaN, a query error, Prometheus down)
 * are a break too — never a reason to retrain — so when they come back the condition must hold for {@code for}
 * again: no burst of retrains after an outage.
 */
public final class TriggerEvaluator {
  private TriggerEvaluator() {}

  public static TriggerStatus evaluate(Trigger trigger, Optional<TriggerStatus> previous, QueryResult result, Instant now) {
    TriggerStatus next = new TriggerStatus();
    next.setName(trigger.getName());
    next.setFiring(false);
    if (!result.available() || result.value() == null || result.value().isNaN()) {
      return next;
    }
    double value = result.value();
    next.setValue(Double.isInfinite(value) ? null : value);
    if (!TriggerQueries.breaches(trigger, value)) {
      return next;
    }
    Instant since = previous.map(TriggerStatus::getSince).flatMap(Timestamps::parse).orElse(now);
    next.setSince(Timestamps.format(since));
    Duration holdFor = trigger.getForDuration() == null ? Duration.ofMinutes(5) : Durations.parse(trigger.getForDuration());
    next.setFiring(!now.isBefore(since.plus(holdFor)));
    return next;
  }
}
