package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.ModelDeploymentStatus;
import dev.flywheel.crds.modeldeployment.Rollout;
import dev.flywheel.crds.modeldeployment.RolloutStatus;
import dev.flywheel.crds.modeldeployment.RolloutStrategy;
import dev.flywheel.crds.modelversion.ModelVersion;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Decides what serves, from the wanted version, the version serving now and the rollout recorded in status: the
 * first version and every RollingUpdate go straight to the stable Deployment (Kubernetes' rolling update, no
 * capacity dip); a Canary gets its own Deployment and steps through {@link CanaryStepper}; a promoted canary
 * becomes stable and is removed once the stable Deployment runs it everywhere; a rolled-back version is not
 * rolled out again until the wanted version changes. When nothing may be served, what serves keeps serving.
 */
final class RolloutPlanner {
  /**
   * @param wanted the resolved version, empty when none may be served
   * @param versions the deployment's ModelVersions by name (for the versions already serving)
   * @param stableDeployment the stable track's Deployment in the cache, or null
   * @param canaryDeployment the canary track's Deployment in the cache, or null
   * @param measure runs the analysis queries for a canary version
   */
  record Inputs(
      ModelDeployment deployment,
      Optional<ModelVersion> wanted,
      Function<String, Optional<ModelVersion>> versions,
      Deployment stableDeployment,
      Deployment canaryDeployment,
      Instant now,
      Function<ModelVersion, Supplier<List<AnalysisMeasurement>>> measure) {}

  private RolloutPlanner() {}

  /** Plans this pass; updates status.currentVersion, canaryVersion and rollout in place. */
  static ServingPlan plan(Inputs in, ModelDeploymentStatus status) {
    int replicas = in.deployment().getSpec().getReplicas() == null ? 1 : in.deployment().getSpec().getReplicas();
    Rollout rollout = in.deployment().getSpec().getRollout() != null ? in.deployment().getSpec().getRollout() : new Rollout();
    Optional<ModelVersion> current = Optional.ofNullable(status.getCurrentVersion()).flatMap(in.versions());
    RolloutStatus recorded = status.getRollout();

    if (in.wanted().isEmpty()) {
      return keepServing(in, status, current, replicas, rollout);
    }
    ModelVersion wanted = in.wanted().get();
    String wantedName = wanted.getMetadata().getName();
    boolean canaryStrategy = rollout.getStrategy() == RolloutStrategy.Canary && rollout.getSteps() != null && !rollout.getSteps().isEmpty();

    if (current.isEmpty() || !canaryStrategy || current.get().getMetadata().getName().equals(wantedName)) {
      // First version, a RollingUpdate, or the wanted version already serves: one stable Deployment.
      boolean draining = recorded != null && CanaryStepper.PROMOTED.equals(recorded.getPhase()) && wantedName.equals(recorded.getVersion())
          && !DeploymentState.rolledOut(in.stableDeployment(), wantedName, replicas);
      if (recorded != null && !CanaryStepper.finished(recorded)) {
        status.setRollout(null);
        keepRejected(status, recorded);
      }
      status.setCanaryVersion(null);
      boolean switching = current.isEmpty() || !current.get().getMetadata().getName().equals(wantedName);
      if (current.isEmpty() || DeploymentState.rolledOut(in.stableDeployment(), wantedName, replicas)) {
        status.setCurrentVersion(wantedName);
      }
      if (draining) {
        int canaryReplicas = in.canaryDeployment() == null || in.canaryDeployment().getSpec().getReplicas() == null
            ? 1 : in.canaryDeployment().getSpec().getReplicas();
        return new ServingPlan(Optional.of(wanted), replicas, Optional.of(wanted), Math.max(canaryReplicas, 1), 100,
            CanaryStepper.Outcome.FINISHED, Optional.empty(), false);
      }
      return ServingPlan.stableOnly(Optional.of(wanted), replicas, switching ? CanaryStepper.Outcome.WAITING : CanaryStepper.Outcome.FINISHED);
    }

    // Canary: the wanted version differs from the one serving.
    if (recorded != null && CanaryStepper.ROLLED_BACK.equals(recorded.getPhase()) && wantedName.equals(recorded.getVersion())) {
      status.setCanaryVersion(null);
      return ServingPlan.stableOnly(current, replicas, CanaryStepper.Outcome.FINISHED);
    }
    RolloutStatus state = recorded;
    if (state == null || !wantedName.equals(state.getVersion())) {
      state = CanaryStepper.start(wantedName, recorded);
    }
    status.setRollout(state);
    status.setCanaryVersion(wantedName);
    boolean exact = rollout.getGatewayRef() != null;
    ReplicaSplit before = ReplicaSplit.of(replicas, CanaryStepper.step(rollout, state).getWeight(), exact);
    boolean canaryReady = DeploymentState.rolledOut(in.canaryDeployment(), wantedName, before.canary());
    CanaryStepper.Look look = CanaryStepper.look(rollout, state, canaryReady, in.now(), in.measure().apply(wanted));
    switch (look.outcome()) {
      case ROLLED_BACK:
        status.setCanaryVersion(null);
        return ServingPlan.stableOnly(current, replicas, look.outcome());
      case PROMOTED:
        status.setCurrentVersion(wantedName);
        status.setCanaryVersion(null);
        return new ServingPlan(Optional.of(wanted), replicas, Optional.of(wanted), Math.max(before.canary(), 1), 100, look.outcome(),
            Optional.empty(), false);
      default:
        int weight = CanaryStepper.step(rollout, state).getWeight();
        ReplicaSplit split = ReplicaSplit.of(replicas, weight, exact);
        return new ServingPlan(current, split.stable(), Optional.of(wanted), split.canary(), weight, look.outcome(), look.recheckIn(), false);
    }
  }

  /** Nothing may be served: what serves keeps serving, a canary in progress is frozen where it is. */
  private static ServingPlan keepServing(Inputs in, ModelDeploymentStatus status, Optional<ModelVersion> current, int replicas, Rollout rollout) {
    RolloutStatus recorded = status.getRollout();
    Optional<ModelVersion> canary = recorded != null && !CanaryStepper.finished(recorded) && status.getCanaryVersion() != null
        ? in.versions().apply(status.getCanaryVersion()) : Optional.empty();
    if (canary.isEmpty() || current.isEmpty()) {
      return new ServingPlan(current, replicas, Optional.empty(), 0, 0, CanaryStepper.Outcome.WAITING, Optional.empty(), true);
    }
    int weight = CanaryStepper.step(rollout, recorded).getWeight();
    ReplicaSplit split = ReplicaSplit.of(replicas, weight, rollout.getGatewayRef() != null);
    return new ServingPlan(current, split.stable(), canary, split.canary(), weight, CanaryStepper.Outcome.WAITING, Optional.empty(), true);
  }

  private static void keepRejected(ModelDeploymentStatus status, RolloutStatus recorded) {
    if (recorded.getRejectedVersion() != null) {
      RolloutStatus memory = new RolloutStatus();
      memory.setRejectedVersion(recorded.getRejectedVersion());
      status.setRollout(memory);
    }
  }
}
