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
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "flywheel-operator";

  private Labels() {}

  /** Labels of everything made for one TrainingJob. */
  public static Map<String, String> training(String trainingJob, String model, String site) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "flywheel-trainer");
    labels.put("app.kubernetes.io/instance", trainingJob);
    labels.put("app.kubernetes.io/component", "training");
    labels.put("app.kubernetes.io/part-of", "flywheel");
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(MODEL, model);
    labels.put(TRAINING_JOB, trainingJob);
    labels.put(SITE, site);
    return labels;
  }
}
