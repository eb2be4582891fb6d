package dev.flywheel.operator.serving;

import dev.flywheel.crds.common.Durations;
import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.CanaryStep;
import dev.flywheel.crds.modeldeployment.Rollout;
import dev.flywheel.crds.modeldeployment.RolloutStatus;
import dev.flywheel.operator.common.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The canary state machine, as a pure function of the rollout's recorded state, the time and the analysis: each
 * step scales the canary, holds its pause, then measures the analysis queries every interval until they have
 * succeeded analysisCount times (next step), failed more than failureLimit times (rolled back, or held without
 * autoRollback), or keep being inconclusive (held: no data never promotes). All state lives in {@link RolloutStatus},
 * so a restart mid-pause neither restarts nor skips it. Measurement semantics follow Argo Rollouts' analysis.
 */
public final class CanaryStepper {
  public static final String SCALING = "Scaling";
  public static final String PAUSING = "Pausing";
  public static final String ANALYZING = "Analyzing";
  public static final String INCONCLUSIVE = "Inconclusive";
  public static final String FAILED = "Failed";
  public static final String ROLLED_BACK = "RolledBack";
  public static final String PROMOTED = "Promoted";

  static final String SUCCESSFUL = "Successful";
  static final String MEASUREMENT_FAILED = "Failed";
  static final String MEASUREMENT_INCONCLUSIVE = "Inconclusive";

  /** What happened in one look at the rollout. */
  public enum Outcome { WAITING, STEP_ADVANCED, MEASURED, INCONCLUSIVE, PROMOTED, ROLLED_BACK, ANALYSIS_FAILED, FINISHED }

  /**
   * @param status the rollout's state after this look
   * @param outcome what happened
   * @param recheckIn when to look again at the latest (empty: only when something changes)
   */
  public record Look(RolloutStatus status, Outcome outcome, Optional<Duration> recheckIn) {}

  private CanaryStepper() {}

  /** A new rollout of this version at its first step; a rejected version is remembered. */
  public static RolloutStatus start(String version, RolloutStatus previous) {
    RolloutStatus status = new RolloutStatus();
    status.setVersion(version);
    status.setStep(0);
    status.setPhase(SCALING);
    status.setSuccesses(0);
    status.setFailures(0);
    status.setRejectedVersion(previous == null ? null : previous.getRejectedVersion());
    return status;
  }

  public static boolean finished(RolloutStatus status) {
    return status != null && List.of(ROLLED_BACK, PROMOTED, FAILED).contains(status.getPhase());
  }

  /** The step in play (the last one once promoted). */
  public static CanaryStep step(Rollout rollout, RolloutStatus status) {
    List<CanaryStep> steps = rollout.getSteps();
    return steps.get(Math.min(status.getStep() == null ? 0 : status.getStep(), steps.size() - 1));
  }

  /**
   * Takes one look at a rollout (the status is changed in place and returned).
   *
   * @param canaryReady whether the canary's pods for the current step are ready
   * @param measure runs every analysis query once; called only when a measurement round is due
   */
  public static Look look(Rollout rollout, RolloutStatus status, boolean canaryReady, Instant now, Supplier<List<AnalysisMeasurement>> measure) {
    return look(rollout, status, canaryReady, false, now, measure);
  }

  /**
   * @param canaryStuck whether the canary's Deployment gave up on its pods (its progress deadline passed): that fails
   *     the step like a failed analysis — a canary that never starts is rolled back (or held), never waited on forever
   */
  public static Look look(Rollout rollout, RolloutStatus status, boolean canaryReady, boolean canaryStuck, Instant now,
      Supplier<List<AnalysisMeasurement>> measure) {
    if (finished(status)) {
      return new Look(status, Outcome.FINISHED, Optional.empty());
    }
    if (SCALING.equals(status.getPhase())) {
      if (canaryStuck) {
        AnalysisMeasurement stuck = new AnalysisMeasurement();
        stuck.setName("canary-pods");
        stuck.setPhase(MEASUREMENT_FAILED);
        stuck.setMessage("the canary's pods did not become ready within the Deployment's progress deadline");
        stuck.setTime(Timestamps.format(now));
        status.setAnalysis(List.of(stuck));
        return fail(rollout, status);
      }
      if (!canaryReady) {
        return new Look(status, Outcome.WAITING, Optional.empty());
      }
      status.setPhase(PAUSING);
      status.setStepStartedAt(Timestamps.format(now));
    }
    if (PAUSING.equals(status.getPhase())) {
      Instant started = Timestamps.parse(status.getStepStartedAt()).orElse(now);
      status.setStepStartedAt(Timestamps.format(started)); // a lost or garbled start is written, so the pause ends
      Instant pauseEnd = started.plus(pause(step(rollout, status)));
      if (now.isBefore(pauseEnd)) {
        return new Look(status, Outcome.WAITING, Optional.of(Duration.between(now, pauseEnd)));
      }
      status.setPhase(ANALYZING);
    }
    List<?> queries = rollout.getAnalysis() == null ? List.of() : rollout.getAnalysis();
    if (queries.isEmpty()) {
      return stepDone(rollout, status);
    }
    Duration interval = Durations.parse(rollout.getAnalysisInterval() == null ? "30s" : rollout.getAnalysisInterval());
    Optional<Instant> last = Timestamps.parse(status.getLastMeasuredAt());
    if (last.isPresent() && now.isBefore(last.get().plus(interval))) {
      return new Look(status, Outcome.WAITING, Optional.of(Duration.between(now, last.get().plus(interval))));
    }
    List<AnalysisMeasurement> round = measure.get();
    status.setAnalysis(round);
    status.setLastMeasuredAt(Timestamps.format(now));
    if (round.stream().anyMatch(m -> MEASUREMENT_FAILED.equals(m.getPhase()))) {
      status.setFailures(count(status.getFailures()) + 1);
      int limit = rollout.getFailureLimit() == null ? 0 : rollout.getFailureLimit();
      if (status.getFailures() > limit) {
        return fail(rollout, status);
      }
      status.setPhase(ANALYZING);
      return new Look(status, Outcome.MEASURED, Optional.of(interval));
    }
    if (round.stream().anyMatch(m -> MEASUREMENT_INCONCLUSIVE.equals(m.getPhase()))) {
      status.setPhase(INCONCLUSIVE);
      return new Look(status, Outcome.INCONCLUSIVE, Optional.of(interval));
    }
    status.setSuccesses(count(status.getSuccesses()) + 1);
    int needed = rollout.getAnalysisCount() == null ? 1 : rollout.getAnalysisCount();
    if (status.getSuccesses() < needed) {
      status.setPhase(ANALYZING);
      return new Look(status, Outcome.MEASURED, Optional.of(interval));
    }
    return stepDone(rollout, status);
  }

  /** The step failed: rolled back with autoRollback (and the version remembered as rejected), held otherwise. */
  private static Look fail(Rollout rollout, RolloutStatus status) {
    boolean rollBack = !Boolean.FALSE.equals(rollout.getAutoRollback());
    status.setPhase(rollBack ? ROLLED_BACK : FAILED);
    if (rollBack) {
      status.setRejectedVersion(status.getVersion());
    }
    return new Look(status, rollBack ? Outcome.ROLLED_BACK : Outcome.ANALYSIS_FAILED, Optional.empty());
  }

  private static Look stepDone(Rollout rollout, RolloutStatus status) {
    int next = count(status.getStep()) + 1;
    if (next >= rollout.getSteps().size()) {
      status.setPhase(PROMOTED);
      return new Look(status, Outcome.PROMOTED, Optional.empty());
    }
    status.setStep(next);
    status.setPhase(SCALING);
    status.setStepStartedAt(null);
    status.setSuccesses(0);
    status.setFailures(0);
    status.setLastMeasuredAt(null);
    return new Look(status, Outcome.STEP_ADVANCED, Optional.of(Duration.ZERO));
  }

  private static Duration pause(CanaryStep step) {
    return step.getPause() == null ? Duration.ZERO : Durations.parse(step.getPause());
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }
}
