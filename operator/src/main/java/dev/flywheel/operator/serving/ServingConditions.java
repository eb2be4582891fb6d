package dev.flywheel.operator.serving;

import dev.flywheel.crds.common.ConditionStatus;
import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.ModelDeploymentStatus;
import dev.flywheel.crds.modeldeployment.RolloutStatus;
import dev.flywheel.operator.common.Conditions;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Builds a ModelDeployment's conditions from what the pass found, the way keycloak's status aggregator does:
 * Progressing, Degraded and MetricsAvailable each from their own facts, and Ready from the others — True only
 * when the wanted version serves with every wanted replica ready and nothing is degraded or in progress.
 */
final class ServingConditions {
  static final String READY = "Ready";
  static final String PROGRESSING = "Progressing";
  static final String DEGRADED = "Degraded";
  static final String METRICS_AVAILABLE = "MetricsAvailable";

  /**
   * @param refusal why nothing new may be served (reason, message): version resolution, placement or the Gateway API
   * @param wanted the version that should serve, when resolved
   * @param readyReplicas ready pods of the wanted version on the stable track
   * @param round the measurement round of this pass, if one ran
   */
  record Facts(
      Optional<String[]> refusal,
      Optional<String> wanted,
      int wantedReplicas,
      int readyReplicas,
      boolean stableRolledOut,
      ServingPlan plan,
      Optional<AnalysisRunner.Round> round) {}

  private ServingConditions() {}

  static void build(ModelDeployment deployment, ModelDeploymentStatus status, Facts facts, Clock clock) {
    Long generation = deployment.getMetadata().getGeneration();
    RolloutStatus rollout = status.getRollout();
    boolean rejected = rollout != null && facts.wanted().isPresent() && facts.wanted().get().equals(rollout.getVersion())
        && !facts.wanted().get().equals(status.getCurrentVersion());
    boolean rolledBack = rejected && CanaryStepper.ROLLED_BACK.equals(rollout.getPhase());
    boolean analysisFailed = rejected && CanaryStepper.FAILED.equals(rollout.getPhase());
    if (rolledBack || analysisFailed) {
      String detail = failedChecks(rollout);
      String message = rolledBack
          ? "rolled back " + rollout.getVersion() + ", " + status.getCurrentVersion() + " keeps serving: " + detail
          : "analysis of " + rollout.getVersion() + " failed, the rollout holds (autoRollback is off): " + detail;
      Conditions.set(status.getConditions(), DEGRADED, ConditionStatus.True, rolledBack ? "RolledBack" : "AnalysisFailed", message, generation, clock);
    } else {
      Conditions.set(status.getConditions(), DEGRADED, ConditionStatus.False, "AsExpected", "no failed rollout", generation, clock);
    }

    if (facts.plan().canary().isPresent() && rollout != null && !CanaryStepper.finished(rollout)) {
      int steps = deployment.getSpec().getRollout().getSteps().size();
      Conditions.set(status.getConditions(), PROGRESSING, ConditionStatus.True, "Canary", "canary " + rollout.getVersion() + " at step "
          + (rollout.getStep() + 1) + " of " + steps + " (weight " + facts.plan().stepWeight() + "%): " + rollout.getPhase(), generation, clock);
    } else if (facts.wanted().isPresent() && !facts.stableRolledOut()) {
      Conditions.set(status.getConditions(), PROGRESSING, ConditionStatus.True, "RollingUpdate", "rolling out " + facts.wanted().get() + ": "
          + facts.readyReplicas() + " of " + facts.wantedReplicas() + " pods ready", generation, clock);
    } else {
      Conditions.set(status.getConditions(), PROGRESSING, ConditionStatus.False, "RolloutComplete",
          status.getCurrentVersion() == null ? "nothing to roll out" : status.getCurrentVersion() + " is rolled out", generation, clock);
    }

    facts.round().ifPresent(round -> {
      if (round.unavailableReason().isPresent()) {
        Conditions.set(status.getConditions(), METRICS_AVAILABLE, ConditionStatus.False, round.unavailableReason().get(),
            round.message() + "; no canary step is promoted while metrics are unavailable", generation, clock);
      } else {
        Conditions.set(status.getConditions(), METRICS_AVAILABLE, ConditionStatus.True, "Measured", round.message(), generation, clock);
      }
    });
    if (Conditions.find(status.getConditions(), METRICS_AVAILABLE).isEmpty()) {
      Conditions.set(status.getConditions(), METRICS_AVAILABLE, ConditionStatus.Unknown, "NotMeasured", "no analysis has run yet", generation, clock);
    }

    if (facts.refusal().isPresent()) {
      Conditions.set(status.getConditions(), READY, ConditionStatus.False, facts.refusal().get()[0], facts.refusal().get()[1]
          + (status.getCurrentVersion() != null ? "; " + status.getCurrentVersion() + " keeps serving" : ""), generation, clock);
    } else if (Conditions.isTrue(status.getConditions(), DEGRADED)) {
      Conditions.set(status.getConditions(), READY, ConditionStatus.False, Conditions.find(status.getConditions(), DEGRADED).get().getReason(),
          "the wanted version " + facts.wanted().orElse("?") + " is not serving", generation, clock);
    } else if (Conditions.isTrue(status.getConditions(), PROGRESSING)) {
      Conditions.set(status.getConditions(), READY, ConditionStatus.False, "Progressing",
          Conditions.find(status.getConditions(), PROGRESSING).get().getMessage(), generation, clock);
    } else if (facts.readyReplicas() < facts.wantedReplicas()) {
      Conditions.set(status.getConditions(), READY, ConditionStatus.False, "PodsNotReady",
          facts.readyReplicas() + " of " + facts.wantedReplicas() + " pods ready", generation, clock);
    } else {
      Conditions.set(status.getConditions(), READY, ConditionStatus.True, "Serving", facts.wanted().orElse("") + " serves with "
          + facts.readyReplicas() + " of " + facts.wantedReplicas() + " pods ready", generation, clock);
    }
  }

  private static String failedChecks(RolloutStatus rollout) {
    String failed = rollout.getAnalysis().stream().filter(m -> CanaryStepper.MEASUREMENT_FAILED.equals(m.getPhase()))
        .map(AnalysisMeasurement::getMessage).collect(Collectors.joining("; "));
    return failed.isEmpty() ? "an analysis check failed" : failed;
  }
}
