package dev.flywheel.operator.common;

import dev.flywheel.crds.Flywheel;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.serving.Track;
import java.util.LinkedHashMap;
import java.util.Map;

/** The labels Flywheel puts on what it creates, so `kubectl get -l` finds them. */
public final class Labels {
  public static final String MODEL = Flywheel.GROUP + "/model";
  public static final String TRAINING_JOB = Flywheel.GROUP + "/training-job";
  public static final String SITE = Flywheel.GROUP + "/site";
  public static final String STAGE = Flywheel.GROUP + "/stage";
  public static final String MODEL_VERSION = Flywheel.GROUP + "/model-version";
  public static final String DEPLOYMENT = Flywheel.GROUP + "/deployment";
  public static final String TRACK = Flywheel.GROUP + "/track";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String TRAINING = "training";
  public static final String VALIDATION = "validation";
  public static final String SERVING = "serving";
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

  /** Labels of everything made to serve one ModelDeployment. */
  public static Map<String, String> serving(ModelDeployment mdep) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "flywheel-model-server");
    labels.put("app.kubernetes.io/instance", mdep.getMetadata().getName());
    labels.put(COMPONENT, SERVING);
    labels.put("app.kubernetes.io/part-of", "flywheel");
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(MODEL, mdep.getSpec().getModel());
    labels.put(DEPLOYMENT, mdep.getMetadata().getName());
    return labels;
  }

  /** Labels of what serves one track (stable or canary) of a ModelDeployment. */
  public static Map<String, String> serving(ModelDeployment mdep, Track track) {
    Map<String, String> labels = serving(mdep);
    labels.put(TRACK, track.label());
    return labels;
  }

  /** Selects every serving pod of a ModelDeployment, of either track (also its scale subresource's status.selector). */
  public static Map<String, String> servingSelector(ModelDeployment mdep) {
    Map<String, String> selector = new LinkedHashMap<>();
    selector.put(DEPLOYMENT, mdep.getMetadata().getName());
    return selector;
  }

  /** Selects the serving pods of one track of a ModelDeployment. */
  public static Map<String, String> servingSelector(ModelDeployment mdep, Track track) {
    Map<String, String> selector = servingSelector(mdep);
    selector.put(TRACK, track.label());
    return selector;
  }

  /**
   * A name as a label value: at most 63 characters, ending in a letter or digit (a ModelVersion name may be longer);
   * names that fit are unchanged.
   */
  public static String value(String name) {
    String value = name.length() > 63 ? name.substring(0, 63) : name;
    return value.replaceAll("[^A-Za-z0-9]+$", "");
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
