package dev.flywheel.operator.retraining;

import dev.flywheel.crds.Flywheel;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.TriggerStatus;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.OwnerReferences;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The TrainingJob one firing of a trigger starts: spec.retraining.template, owned by the ModelDeployment, labelled
 * with the deployment and the trigger, annotated with the trigger's value. Its name is a function of the
 * deployment, the trigger and the moment the condition began to hold, so an operator restarted at any moment
 * creates no second TrainingJob for one firing (the create conflicts).
 */
public final class RetrainJobBuilder {
  public static final String COMPONENT = "retraining";
  public static final String TRIGGER = Flywheel.GROUP + "/trigger";
  public static final String TRIGGER_VALUE = Flywheel.GROUP + "/trigger-value";
  public static final String TRIGGER_SINCE = Flywheel.GROUP + "/trigger-since";
  public static final String REASON = Flywheel.GROUP + "/retrain-reason";

  private RetrainJobBuilder() {}

  public static final String STARTED_AT = Flywheel.GROUP + "/retrain-started";

  /**
   * @param previous when the latest earlier retrain started (part of the name: a condition that keeps holding past
   *     the cooldown is a new firing, with a new TrainingJob)
   * @param now the operator's time, recorded on the TrainingJob: cooldown and budget count from it
   */
  public static TrainingJob build(ModelDeployment deployment, TriggerStatus firing, String reason, java.util.Optional<java.time.Instant> previous,
      java.time.Instant now) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "flywheel-trainer");
    labels.put("app.kubernetes.io/part-of", "flywheel");
    labels.put(Labels.COMPONENT, COMPONENT);
    labels.put(Labels.MANAGED_BY, Labels.OPERATOR);
    labels.put(Labels.MODEL, deployment.getSpec().getModel());
    labels.put(Labels.DEPLOYMENT, deployment.getMetadata().getName());
    labels.put(TRIGGER, firing.getName());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(TRIGGER_VALUE, String.valueOf(firing.getValue()));
    annotations.put(TRIGGER_SINCE, firing.getSince());
    annotations.put(REASON, reason);
    annotations.put(STARTED_AT, dev.flywheel.operator.common.Timestamps.format(now));
    TrainingJob job = new TrainingJob();
    job.setMetadata(new ObjectMetaBuilder()
        .withName(name(deployment, firing, previous))
        .withNamespace(deployment.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations)
        .withOwnerReferences(OwnerReferences.controller(deployment))
        .build());
    job.setSpec(Serialization.clone(deployment.getSpec().getRetraining().getTemplate()));
    return job;
  }

  /** {@code <deployment, at most 38 characters>-rt-<8 hex digits of uid, trigger, since and the previous start>}: at most 50 characters. */
  static String name(ModelDeployment deployment, TriggerStatus firing, java.util.Optional<java.time.Instant> previous) {
    String base = deployment.getMetadata().getName();
    base = base.length() > 38 ? base.substring(0, 38).replaceAll("-+$", "") : base;
    String identity = deployment.getMetadata().getUid() + "/" + firing.getName() + "/" + firing.getSince() + "/"
        + previous.map(dev.flywheel.operator.common.Timestamps::format).orElse("-");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
      return base + "-rt-" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** When a retrain started: the operator's annotation, else the TrainingJob's creation (empty if neither reads). */
  public static java.util.Optional<java.time.Instant> startedAt(TrainingJob job) {
    String stamped = job.getMetadata().getAnnotations() == null ? null : job.getMetadata().getAnnotations().get(STARTED_AT);
    return dev.flywheel.operator.common.Timestamps.parse(stamped).or(() -> dev.flywheel.operator.common.Timestamps.parse(job.getMetadata().getCreationTimestamp()));
  }

  /** Whether a TrainingJob was started by retraining (the label this builder sets). */
  public static boolean isRetrain(TrainingJob job) {
    return job.getMetadata().getLabels() != null && COMPONENT.equals(job.getMetadata().getLabels().get(Labels.COMPONENT));
  }
}
