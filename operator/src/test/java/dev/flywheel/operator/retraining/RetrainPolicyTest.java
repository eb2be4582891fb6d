package dev.flywheel.operator.retraining;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.Retraining;
import dev.flywheel.crds.modeldeployment.Trigger;
import dev.flywheel.crds.modeldeployment.TriggerStatus;
import dev.flywheel.crds.modeldeployment.TriggerType;
import dev.flywheel.operator.metrics.QueryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The trigger clock and the retraining policy, with a stepped clock and metrics given by the test. */
class RetrainPolicyTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  private static Trigger drift(String forDuration) {
    Trigger trigger = new Trigger();
    trigger.setName("feature-drift");
    trigger.setType(TriggerType.DRIFT);
    trigger.setThreshold(0.2);
    trigger.setForDuration(forDuration);
    return trigger;
  }

  private static Retraining retraining(String cooldown, int perDay) {
    Retraining retraining = new Retraining();
    retraining.setEnabled(true);
    retraining.setCooldown(cooldown);
    retraining.setMaxRetrainsPerDay(perDay);
    return retraining;
  }

  /** Evaluates a trigger once a minute over the given values (null: metrics unavailable); returns each status. */
  private static List<TriggerStatus> run(Trigger trigger, Double... values) {
    List<TriggerStatus> statuses = new ArrayList<>();
    Optional<TriggerStatus> previous = Optional.empty();
    for (int minute = 0; minute < values.length; minute++) {
      QueryResult result = values[minute] == null ? QueryResult.unreachable("connection refused") : QueryResult.value(values[minute]);
      TriggerStatus status = TriggerEvaluator.evaluate(trigger, previous, result, T0.plus(Duration.ofMinutes(minute)));
      statuses.add(status);
      previous = Optional.of(status);
    }
    return statuses;
  }

  @Test
  void aTriggerFiresOnlyAfterItsConditionHeldForItsFor() {
    List<TriggerStatus> statuses = run(drift("3m"), 0.3, 0.3, 0.3, 0.3);
    assertThat(statuses).extracting(TriggerStatus::getFiring).containsExactly(false, false, false, true);
    assertThat(statuses.get(3).getSince()).isEqualTo("2026-12-01T00:00:00Z");
    assertThat(statuses.get(3).getValue()).isEqualTo(0.3);
  }

  @Test
  void aBreakResetsTheClockAndSoDoesAMetricsOutage() {
    assertThat(run(drift("3m"), 0.3, 0.3, 0.1, 0.3, 0.3, 0.3, 0.3)).extracting(TriggerStatus::getFiring)
        .containsExactly(false, false, false, false, false, false, true);
    List<TriggerStatus> outage = run(drift("3m"), 0.3, 0.3, null, 0.3, 0.3, 0.3, 0.3);
    assertThat(outage).extracting(TriggerStatus::getFiring).containsExactly(false, false, false, false, false, false, true);
    assertThat(outage.get(2).getValue()).as("no value while Prometheus is down").isNull();
    assertThat(outage.get(2).getSince()).isNull();
  }

  @Test
  void accuracyFiresBelowItsThresholdAndEveryOtherTypeAbove() {
    Trigger accuracy = drift("0s");
    accuracy.setType(TriggerType.ACCURACY);
    accuracy.setThreshold(0.8);
    assertThat(run(accuracy, 0.9, 0.7)).extracting(TriggerStatus::getFiring).containsExactly(false, true);
    assertThat(run(drift("0s"), 0.1, 0.2, 0.21)).extracting(TriggerStatus::getFiring).containsExactly(false, false, true);
    TriggerStatus nan = TriggerEvaluator.evaluate(drift("0s"), Optional.empty(), QueryResult.notANumber("0/0"), T0);
    assertThat(nan.getFiring()).as("NaN never fires").isFalse();
  }

  private static TriggerStatus firing() {
    TriggerStatus status = new TriggerStatus();
    status.setName("feature-drift");
    status.setValue(0.4);
    status.setFiring(true);
    status.setSince(T0.toString());
    return status;
  }

  @Test
  void aFiringTriggerStartsARetrainOutsideTheCooldownAndWithinTheBudget() {
    Retraining policy = retraining("1h", 2);
    assertThat(RetrainPolicy.decide(policy, List.of(firing()), List.of(), false, false, T0).reason()).isEqualTo(RetrainPolicy.Decision.START);
    assertThat(RetrainPolicy.decide(policy, List.of(firing()), List.of(T0.minus(Duration.ofMinutes(30))), false, false, T0).reason())
        .isEqualTo(RetrainPolicy.Decision.COOLDOWN);
    assertThat(RetrainPolicy.decide(policy, List.of(firing()), List.of(T0.minus(Duration.ofMinutes(61))), false, false, T0).reason())
        .isEqualTo(RetrainPolicy.Decision.START);
    assertThat(RetrainPolicy.decide(policy, List.of(firing()), List.of(), true, false, T0).reason()).isEqualTo(RetrainPolicy.Decision.IN_PROGRESS);
    assertThat(RetrainPolicy.decide(policy, List.of(firing()), List.of(), false, true, T0).reason())
        .isEqualTo(RetrainPolicy.Decision.ROLLOUT_IN_PROGRESS);
    TriggerStatus quiet = firing();
    quiet.setFiring(false);
    assertThat(RetrainPolicy.decide(policy, List.of(quiet), List.of(), false, false, T0).reason()).isEqualTo(RetrainPolicy.Decision.NOT_FIRING);
    Retraining off = retraining("1h", 2);
    off.setEnabled(false);
    assertThat(RetrainPolicy.decide(off, List.of(firing()), List.of(), false, false, T0).reason()).isEqualTo(RetrainPolicy.Decision.DISABLED);
  }

  @Test
  void theBudgetIsASliding24Hours() {
    Retraining policy = retraining("1h", 2);
    List<Instant> started = List.of(T0.minus(Duration.ofHours(23)), T0.minus(Duration.ofHours(2)));
    assertThat(RetrainPolicy.decide(policy, List.of(firing()), started, false, false, T0).reason()).isEqualTo(RetrainPolicy.Decision.BUDGET);
    assertThat(RetrainPolicy.decide(policy, List.of(firing()), started, false, false, T0.plus(Duration.ofHours(1).plusSeconds(1))).reason())
        .as("the oldest retrain left the window").isEqualTo(RetrainPolicy.Decision.START);
  }

  @Test
  void aFlappingMetricNeverRetrainsMoreOftenThanTheBudgetAllows() {
    Trigger trigger = drift("5m");
    Retraining policy = retraining("10m", 3);
    List<Instant> started = new ArrayList<>();
    Optional<TriggerStatus> previous = Optional.empty();
    for (int minute = 0; minute < 3 * 24 * 60; minute++) {
      Instant now = T0.plus(Duration.ofMinutes(minute));
      double value = (minute / 6) % 2 == 0 ? 0.9 : 0.05; // six minutes above, six below, for three days
      TriggerStatus status = TriggerEvaluator.evaluate(trigger, previous, QueryResult.value(value), now);
      previous = Optional.of(status);
      boolean running = !started.isEmpty() && now.isBefore(started.get(started.size() - 1).plus(Duration.ofMinutes(20)));
      if (RetrainPolicy.decide(policy, List.of(status), started, running, false, now).start().isPresent()) {
        started.add(now);
      }
      assertThat(RetrainPolicy.retrainsToday(started, now)).isLessThanOrEqualTo(3);
    }
    assertThat(started.size()).as("it did retrain, up to three times in any 24 hours").isBetween(6, 9);
  }
}
