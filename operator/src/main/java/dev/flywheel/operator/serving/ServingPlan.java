package dev.flywheel.operator.serving;

import dev.flywheel.crds.modelversion.ModelVersion;
import java.time.Duration;
import java.util.Optional;

/**
 * What should serve now: the stable version and its replicas, the canary (if one is in play) and its replicas,
 * the weight the canary's step asks for, what the rollout did in this pass, and when to look again. When nothing
 * may be served (keepExisting), a track whose version is gone keeps its Deployment exactly as it is.
 */
record ServingPlan(
    Optional<ModelVersion> stable,
    int stableReplicas,
    Optional<ModelVersion> canary,
    int canaryReplicas,
    int stepWeight,
    CanaryStepper.Outcome outcome,
    Optional<Duration> recheckIn,
    boolean keepExisting) {

  static ServingPlan stableOnly(Optional<ModelVersion> stable, int replicas, CanaryStepper.Outcome outcome) {
    return new ServingPlan(stable, replicas, Optional.empty(), 0, 0, outcome, Optional.empty(), false);
  }

  boolean hasCanary() {
    return canary.isPresent();
  }
}
