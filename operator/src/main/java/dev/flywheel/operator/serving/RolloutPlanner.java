package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.CanaryStep;
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
 * capacity dip); a Canary gets its own Deployment and steps through {@link CanaryStepper}, each step's split taking
 * effect only once its canary pods are ready; a canary that is promoted, rolled back or abandoned keeps its pods
 * until the stable Deployment can take all traffic; a rolled-back version is not rolled out again until another
 * version is wanted. When nothing may be served, what serves keeps serving.
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
    String currentName = status.getCurrentVersion();
    Optional<ModelVersion> current = Optional.ofNullable(currentName).flatMap(in.versions());
    RolloutStatus recorded = status.getRollout();
    if (in.wanted().isEmpty()) {
      return keepServing(in, current, replicas);
    }
    ModelVersion wanted = in.wanted().get();
    String wantedName = wanted.getMetadata().getName();
    boolean canaryStrategy = rollout.getStrategy() == RolloutStrategy.Canary && rollout.getSteps() != null && !rollout.getSteps().isEmpty()
        && replicas > 0;

    if (currentName == null || currentName.equals(wantedName) || !canaryStrategy) {
      // The first version, a RollingUpdate, or the wanted version serves already: one stable Deployment.
      if (recorded != null && (!CanaryStepper.finished(recorded) || !wantedName.equals(recorded.getVersion()))) {
        status.setRollout(null); // an abandoned canary, or a rejected version the user has moved on from
      }
      status.setCanaryVersion(null);
      boolean rolledOut = DeploymentState.rolledOut(in.stableDeployment(), wantedName, replicas);
      if (currentName == null || rolledOut) {
        status.setCurrentVersion(wantedName);
      }
      boolean switching = !wantedName.equals(currentName) || !rolledOut;
      ServingPlan plan = ServingPlan.stableOnly(Optional.of(wanted), replicas, switching ? CanaryStepper.Outcome.WAITING : CanaryStepper.Outcome.FINISHED);
      return in.canaryDeployment() != null && !rolledOut ? plan.withCanaryKept(0, true) : plan;
    }

    // Canary: the wanted version differs from the one serving.
    if (recorded != null && wantedName.equals(recorded.getRejectedVersion())) {
      status.setCanaryVersion(null);
      return rolledBack(in, current, currentName, replicas, CanaryStepper.Outcome.FINISHED);
    }
    RolloutStatus state = recorded != null && wantedName.equals(recorded.getVersion()) ? recorded : CanaryStepper.start(wantedName, null);
    status.setRollout(state);
    status.setCanaryVersion(wantedName);
    boolean exact = rollout.getGatewayRef() != null;
    ReplicaSplit before = ReplicaSplit.of(replicas, CanaryStepper.step(rollout, state).getWeight(), exact);
    boolean canaryReady = DeploymentState.rolledOut(in.canaryDeployment(), wantedName, before.canary());
    CanaryStepper.Look look = CanaryStepper.look(rollout, state, canaryReady, DeploymentState.stuck(in.canaryDeployment()), in.now(),
        in.measure().apply(wanted));
    switch (look.outcome()) {
      case ROLLED_BACK:
        status.setCanaryVersion(null);
        return rolledBack(in, current, currentName, replicas, look.outcome());
      case PROMOTED:
        status.setCurrentVersion(wantedName);
        status.setCanaryVersion(null);
        return ServingPlan.stableOnly(Optional.of(wanted), replicas, look.outcome()).withCanaryKept(0, true);
      default:
        return stepping(rollout, state, current, replicas, wanted, exact, look);
    }
  }

  /** A canary at its step: until the step's pods are ready, the previous step's stable pods and traffic hold. */
  private static ServingPlan stepping(Rollout rollout, RolloutStatus state, Optional<ModelVersion> current, int replicas, ModelVersion wanted,
      boolean exact, CanaryStepper.Look look) {
    List<CanaryStep> steps = rollout.getSteps();
    int step = state.getStep() == null ? 0 : state.getStep();
    ReplicaSplit split = ReplicaSplit.of(replicas, steps.get(step).getWeight(), exact);
    int stableReplicas = split.stable();
    int weight = steps.get(step).getWeight();
    if (CanaryStepper.SCALING.equals(state.getPhase())) {
      weight = step == 0 ? 0 : steps.get(step - 1).getWeight();
      stableReplicas = step == 0 ? replicas : ReplicaSplit.of(replicas, weight, exact).stable();
    }
    return new ServingPlan(current, stableReplicas, current.isEmpty(), Optional.of(wanted), split.canary(), false, weight, false,
        look.outcome(), look.recheckIn());
  }

  /** Rolled back: the stable version serves at full replicas; the canary's pods go once it can take all traffic. */
  private static ServingPlan rolledBack(Inputs in, Optional<ModelVersion> current, String currentName, int replicas, CanaryStepper.Outcome outcome) {
    ServingPlan plan = ServingPlan.stableOnly(current, replicas, outcome);
    boolean stableReady = DeploymentState.rolledOut(in.stableDeployment(), currentName, replicas);
    return in.canaryDeployment() != null && !stableReady ? plan.withCanaryKept(0, false) : plan;
  }

  /** Nothing may be served: every Deployment stays as it is, but a stable version that still exists may be scaled. */
  private static ServingPlan keepServing(Inputs in, Optional<ModelVersion> current, int replicas) {
    if (in.canaryDeployment() != null) {
      return new ServingPlan(Optional.empty(), 0, true, Optional.empty(), 0, true, 0, true, CanaryStepper.Outcome.WAITING, Optional.empty());
    }
    return ServingPlan.stableOnly(current, replicas, CanaryStepper.Outcome.WAITING);
  }
}
