package dev.flywheel.operator.common;

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
}
