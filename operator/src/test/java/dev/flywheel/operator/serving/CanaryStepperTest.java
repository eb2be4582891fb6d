package dev.flywheel.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.AnalysisQuery;
import dev.flywheel.crds.modeldeployment.CanaryStep;
import dev.flywheel.crds.modeldeployment.Rollout;
import dev.flywheel.crds.modeldeployment.RolloutStatus;
import dev.flywheel.crds.modeldeployment.RolloutStrategy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The canary state machine with a fixed clock: pauses, rounds, failure limits, inconclusive holds, restarts. */
class CanaryStepperTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static Rollout rollout(int count, int failureLimit, boolean autoRollback) {
    Rollout rollout = new Rollout();
    rollout.setStrategy(RolloutStrategy.Canary);
    CanaryStep first = new CanaryStep();
    first.setWeight(20);
    first.setPause("10m");
    CanaryStep last = new CanaryStep();
    last.setWeight(100);
    rollout.setSteps(List.of(first, last));
    AnalysisQuery query = new AnalysisQuery();
    query.setName("error-rate");
    query.setQuery("q");
    query.setMax(0.01);
    rollout.setAnalysis(List.of(query));
    rollout.setAnalysisInterval("1m");
    rollout.setAnalysisCount(count);
    rollout.setFailureLimit(failureLimit);
    rollout.setAutoRollback(autoRollback);
    return rollout;
  }

  private static Supplier<List<AnalysisMeasurement>> answering(String phase, AtomicInteger rounds) {
    return () -> {
      rounds.incrementAndGet();
      AnalysisMeasurement m = new AnalysisMeasurement();
      m.setName("error-rate");
      m.setPhase(phase);
      m.setMessage("error-rate " + phase);
      return List.of(m);
    };
  }

  /** A restart reads the rollout back from the API: the state survives a JSON round trip unchanged. */
  private static RolloutStatus restart(RolloutStatus status) {
    return Serialization.unmarshal(Serialization.asJson(status), RolloutStatus.class);
  }

  @Test
  void thePauseCountsFromWhenTheCanaryIsReadyAndSurvivesARestart() {
    Rollout rollout = rollout(1, 0, true);
    AtomicInteger rounds = new AtomicInteger();
    RolloutStatus status = CanaryStepper.start("churn-v2", null);
    assertThat(CanaryStepper.look(rollout, status, false, T0, answering("Successful", rounds)).outcome()).isEqualTo(CanaryStepper.Outcome.WAITING);
    assertThat(status.getPhase()).isEqualTo(CanaryStepper.SCALING);

    CanaryStepper.Look look = CanaryStepper.look(rollout, status, true, T0.plusSeconds(30), answering("Successful", rounds));
    assertThat(look.recheckIn()).contains(Duration.ofMinutes(10));
    status = restart(status);
    look = CanaryStepper.look(rollout, status, true, T0.plus(Duration.ofMinutes(6)), answering("Successful", rounds));
    assertThat(look.outcome()).isEqualTo(CanaryStepper.Outcome.WAITING);
    assertThat(look.recheckIn()).as("the restarted operator waits out the rest, no more, no less").contains(Duration.ofMinutes(4).plusSeconds(30));
    assertThat(rounds).hasValue(0);

    look = CanaryStepper.look(rollout, restart(status), true, T0.plus(Duration.ofMinutes(11)), answering("Successful", rounds));
    assertThat(look.outcome()).isEqualTo(CanaryStepper.Outcome.STEP_ADVANCED);
    assertThat(look.status().getStep()).isEqualTo(1);
    look = CanaryStepper.look(rollout, look.status(), true, T0.plus(Duration.ofMinutes(12)), answering("Successful", rounds));
    assertThat(look.outcome()).isEqualTo(CanaryStepper.Outcome.PROMOTED);
    assertThat(rounds).hasValue(2);
  }

  @Test
  void roundsAreTakenOnePerIntervalUntilCountSucceed() {
    Rollout rollout = rollout(3, 0, true);
    AtomicInteger rounds = new AtomicInteger();
    RolloutStatus status = CanaryStepper.start("churn-v2", null);
    CanaryStepper.look(rollout, status, true, T0, answering("Successful", rounds));
    Instant at = T0.plus(Duration.ofMinutes(10));
    assertThat(CanaryStepper.look(rollout, status, true, at, answering("Successful", rounds)).outcome()).isEqualTo(CanaryStepper.Outcome.MEASURED);
    assertThat(CanaryStepper.look(rollout, status, true, at.plusSeconds(30), answering("Successful", rounds)).outcome())
        .as("the next round is due one interval later").isEqualTo(CanaryStepper.Outcome.WAITING);
    CanaryStepper.look(rollout, status, true, at.plusSeconds(60), answering("Successful", rounds));
    assertThat(CanaryStepper.look(rollout, status, true, at.plusSeconds(120), answering("Successful", rounds)).outcome())
        .isEqualTo(CanaryStepper.Outcome.STEP_ADVANCED);
    assertThat(rounds).hasValue(3);
  }

  @Test
  void failuresBeyondTheLimitRollBackOrHold() {
    AtomicInteger rounds = new AtomicInteger();
    Rollout tolerant = rollout(1, 1, true);
    RolloutStatus status = CanaryStepper.start("churn-v2", null);
    CanaryStepper.look(tolerant, status, true, T0, answering("Failed", rounds));
    Instant at = T0.plus(Duration.ofMinutes(10));
    assertThat(CanaryStepper.look(tolerant, status, true, at, answering("Failed", rounds)).outcome()).isEqualTo(CanaryStepper.Outcome.MEASURED);
    assertThat(CanaryStepper.look(tolerant, status, true, at.plusSeconds(60), answering("Failed", rounds)).outcome())
        .isEqualTo(CanaryStepper.Outcome.ROLLED_BACK);
    assertThat(status.getRejectedVersion()).isEqualTo("churn-v2");
    assertThat(CanaryStepper.look(tolerant, status, true, at.plusSeconds(600), answering("Successful", rounds)).outcome())
        .as("a finished rollout stays finished").isEqualTo(CanaryStepper.Outcome.FINISHED);

    Rollout holding = rollout(1, 0, false);
    RolloutStatus held = CanaryStepper.start("churn-v3", null);
    CanaryStepper.look(holding, held, true, T0, answering("Failed", rounds));
    assertThat(CanaryStepper.look(holding, held, true, at, answering("Failed", rounds)).outcome()).isEqualTo(CanaryStepper.Outcome.ANALYSIS_FAILED);
    assertThat(held.getPhase()).isEqualTo(CanaryStepper.FAILED);
    assertThat(held.getRejectedVersion()).isNull();
  }

  @Test
  void inconclusiveRoundsNeverPromote() {
    Rollout rollout = rollout(1, 0, true);
    AtomicInteger rounds = new AtomicInteger();
    RolloutStatus status = CanaryStepper.start("churn-v2", null);
    CanaryStepper.look(rollout, status, true, T0, answering("Inconclusive", rounds));
    for (int minute = 10; minute < 100; minute++) {
      CanaryStepper.Outcome outcome = CanaryStepper.look(rollout, status, true, T0.plus(Duration.ofMinutes(minute)),
          answering("Inconclusive", rounds)).outcome();
      assertThat(outcome).isIn(CanaryStepper.Outcome.INCONCLUSIVE, CanaryStepper.Outcome.WAITING);
    }
    assertThat(status.getStep()).isZero();
    assertThat(status.getPhase()).isEqualTo(CanaryStepper.INCONCLUSIVE);
    assertThat(CanaryStepper.look(rollout, status, true, T0.plus(Duration.ofMinutes(101)), answering("Successful", rounds)).outcome())
        .isEqualTo(CanaryStepper.Outcome.STEP_ADVANCED);
  }
}
