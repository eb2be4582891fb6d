package dev.flywheel.operator.serving;

import dev.flywheel.operator.common.Labels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Optional;

/** What a serving Deployment in the cache says about its pods: which version it runs and whether they are ready. */
final class DeploymentState {
  private DeploymentState() {}

  /** Whether the Deployment's pod template runs this ModelVersion (the annotation holds its full name; the label is cut). */
  static boolean runs(Deployment deployment, String version) {
    return Optional.ofNullable(deployment).map(d -> d.getSpec().getTemplate().getMetadata().getAnnotations())
        .map(annotations -> annotations.get(Labels.MODEL_VERSION)).map(version::equals).orElse(false);
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
    int specReplicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
    int updated = count(status.getUpdatedReplicas());
    // kubectl rollout status' rule: every pod updated, no old pod left, and the updated ones available.
    return observed && specReplicas >= wanted && updated >= specReplicas && count(status.getReplicas()) <= updated
        && count(status.getAvailableReplicas()) >= updated && count(status.getReadyReplicas()) >= wanted;
  }

  /** Whether the Deployment controller gave up on it: Progressing=False, reason ProgressDeadlineExceeded. */
  static boolean stuck(Deployment deployment) {
    return deployment != null && deployment.getStatus() != null && deployment.getStatus().getConditions() != null
        && deployment.getStatus().getConditions().stream().anyMatch(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus())
            && "ProgressDeadlineExceeded".equals(c.getReason()));
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
