package dev.flywheel.operator.serving;

import dev.flywheel.operator.common.Labels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Optional;

/** What a serving Deployment in the cache says about its pods: which version it runs and whether they are ready. */
final class DeploymentState {
  private DeploymentState() {}

  /** Whether the Deployment's pod template runs this ModelVersion (its label holds the name, cut to a label's length). */
  static boolean runs(Deployment deployment, String version) {
    return Optional.ofNullable(deployment).map(d -> d.getSpec().getTemplate().getMetadata().getLabels())
        .map(labels -> labels.get(Labels.MODEL_VERSION)).map(Labels.value(version)::equals).orElse(false);
  }

  /** Whether it has rolled out this version completely: observed, every wanted pod updated and ready. */
  static boolean rolledOut(Deployment deployment, String version, int wanted) {
    if (wanted == 0) {
      return true;
    }
    if (deployment == null || deployment.getStatus() == null || !runs(deployment, version)) {
      return false;
    }
    var status = deployment.getStatus();
    Long generation = deployment.getMetadata().getGeneration();
    boolean observed = generation == null || status.getObservedGeneration() == null || status.getObservedGeneration() >= generation;
    return observed && count(status.getUpdatedReplicas()) >= wanted && count(status.getReadyReplicas()) >= wanted;
  }

  static int ready(Deployment deployment) {
    return deployment == null || deployment.getStatus() == null ? 0 : count(deployment.getStatus().getReadyReplicas());
  }

  static int existing(Deployment deployment) {
    return deployment == null || deployment.getStatus() == null ? 0 : count(deployment.getStatus().getReplicas());
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }
}
