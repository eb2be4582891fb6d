package dev.flywheel.operator.common;

import dev.flywheel.crds.Flywheel;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels Flywheel puts on what it creates, so `kubectl get -l` finds them. */
public final class Labels {
  public static final String MODEL = Flywheel.GROUP + "/model";
  public static final String TRAINING_JOB = Flywheel.GROUP + "/training-job";
  public static final String SITE = Flywheel.GROUP + "/site";
  public static final String STAGE = Flywheel.GROUP + "/stage";
  public static final String MODEL_VERSION = Flywheel.GROUP + "/model-version";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String TRAINING = "training";
  public static final String VALIDATION = "validation";
  public static final String OPERATOR = "flywheel-operator";

  private Labels() {}

  /** Labels of the Job that validates one ModelVersion. */
  public static Map<String, String> validation(String modelVersion, String model, String site) {
    return runtimeJob("flywheel-validator", VALIDATION, modelVersion, model, MODEL_VERSION, site);
  }

  /** Labels of everything made for one TrainingJob. */
  public static Map<String, String> training(String trainingJob, String model, String site) {
    return runtimeJob("flywheel-trainer", TRAINING, trainingJob, model, TRAINING_JOB, site);
  }

  private static Map<String, String> runtimeJob(String name, String component, String instance, String model, String ownerLabel, String site) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", name);
    labels.put("app.kubernetes.io/instance", instance);
    labels.put(COMPONENT, component);
    labels.put("app.kubernetes.io/part-of", "flywheel");
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(MODEL, model);
    labels.put(ownerLabel, instance);
    labels.put(SITE, site);
    return labels;
  }
}
