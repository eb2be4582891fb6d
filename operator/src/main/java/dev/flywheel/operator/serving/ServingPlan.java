package dev.flywheel.operator.serving;

import dev.flywheel.crds.modelversion.ModelVersion;
import java.time.Duration;
import java.util.Optional;

/**
 * What should serve now, per track: the version and replicas to build its Deployment for, or — when its version may
 * not be rebuilt (gone, frozen, or a canary draining) — the Deployment kept exactly as it is; the canary's traffic
 * weight (a step's, or by ready pods when both tracks run the same version); what the rollout did; when to look again.
 */
record ServingPlan(
    Optional<ModelVersion> stable,
    int stableReplicas,
    boolean keepStable,
    Optional<ModelVersion> canary,
    int canaryReplicas,
    boolean keepCanary,
    int stepWeight,
    boolean weightByReadyPods,
    CanaryStepper.Outcome outcome,
    Optional<Duration> recheckIn) {

  /** One stable track built for this version (or kept as it is when the version is unknown). */
  static ServingPlan stableOnly(Optional<ModelVersion> stable, int replicas, CanaryStepper.Outcome outcome) {
    return new ServingPlan(stable, replicas, stable.isEmpty(), Optional.empty(), 0, false, 0, false, outcome, Optional.empty());
  }

  /** The same stable track, with the existing canary Deployment kept until the stable one can take all traffic. */
  ServingPlan withCanaryKept(int weight, boolean byReadyPods) {
    return new ServingPlan(stable, stableReplicas, keepStable, Optional.empty(), 0, true, weight, byReadyPods, outcome, recheckIn);
  }

  /** Whether a canary track exists in this plan (built or kept). */
  boolean hasCanary() {
    return canary.isPresent() || keepCanary;
  }
}
