package dev.flywheel.operator.common;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.serving.Track;
import io.fabric8.kubernetes.api.model.HasMetadata;

/** Names of the child resources Flywheel creates, in one place. */
public final class Names {
  private Names() {}

  /** The batch Job that runs a TrainingJob's trainer (the TrainingJob name is at most 52 characters). */
  public static String trainingJob(HasMetadata trainingJob) {
    return trainingJob.getMetadata().getName() + "-train";
  }

  /** The batch Job that validates a ModelVersion's artifact. */
  public static String validation(HasMetadata modelVersion) {
    String name = modelVersion.getMetadata().getName();
    return (name.length() > 52 ? name.substring(0, 52) : name) + "-validate";
  }

  /** The ModelVersion for version n of a model. */
  public static String modelVersion(String model, int version) {
    return model + "-v" + version;
  }

  /** The Deployment of one track of a ModelDeployment: {@code <mdep>-stable} or {@code <mdep>-canary} (a ModelDeployment name is at most 50 characters). */
  public static String servingDeployment(ModelDeployment mdep, Track track) {
    return mdep.getMetadata().getName() + "-" + track.label();
  }

  /** The Service in front of every serving pod of a ModelDeployment, both tracks. */
  public static String servingService(ModelDeployment mdep) {
    return mdep.getMetadata().getName();
  }

  /** The Service of one track, a backend of the HTTPRoute: {@code <mdep>-stable} or {@code <mdep>-canary}. */
  public static String trackService(ModelDeployment mdep, Track track) {
    return mdep.getMetadata().getName() + "-" + track.label();
  }

  /** The PodDisruptionBudget of a ModelDeployment's serving pods. */
  public static String disruptionBudget(ModelDeployment mdep) {
    return mdep.getMetadata().getName();
  }

  /** The Prometheus Operator PodMonitor of a ModelDeployment's serving pods. */
  public static String podMonitor(ModelDeployment mdep) {
    return mdep.getMetadata().getName();
  }

  /** The Gateway API HTTPRoute that splits a ModelDeployment's traffic between its tracks. */
  public static String httpRoute(ModelDeployment mdep) {
    return mdep.getMetadata().getName();
  }
}
