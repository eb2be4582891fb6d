package dev.flywheel.sandbox.story;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.ModelDeploymentStatus;
import dev.flywheel.crds.modeldeployment.TriggerStatus;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.trainingjob.TrainingJob;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The key status fields of each Flywheel kind as one short line: what the sandbox's timeline prints on a change. */
public final class StatusLines {
  private StatusLines() {}

  static String of(TrainingJob job) {
    var status = job.getStatus();
    if (status == null) {
      return "created";
    }
    StringBuilder line = new StringBuilder(String.valueOf(status.getPhase()));
    append(line, "site", status.getSite());
    append(line, "version", status.getModelVersion());
    if (status.getMetrics() != null && !status.getMetrics().isEmpty()) {
      append(line, "metrics", numbers(status.getMetrics()));
    }
    appendUnlessReady(line, status.getConditions());
    return line.toString();
  }

  static String of(ModelVersion version) {
    var status = version.getStatus();
    StringBuilder line = new StringBuilder("v" + version.getSpec().getVersion());
    append(line, "desired", version.getSpec().getStage() == null ? null : version.getSpec().getStage().toString());
    if (status != null) {
      append(line, "stage", status.getStage() == null ? null : status.getStage().toString());
      append(line, "validated", condition(status.getConditions(), "Validated"));
      append(line, "ready", condition(status.getConditions(), "Ready"));
    }
    return line.toString();
  }

  public static String of(ModelDeployment deployment) {
    ModelDeploymentStatus status = deployment.getStatus();
    if (status == null) {
      return "created";
    }
    StringBuilder line = new StringBuilder();
    append(line, "serving", status.getCurrentVersion());
    if (status.getCanaryVersion() != null) {
      append(line, "canary", status.getCanaryVersion() + "@" + status.getCanaryWeight() + "%");
    }
    if (status.getRollout() != null && status.getRollout().getPhase() != null) {
      append(line, "rollout", status.getRollout().getPhase());
    }
    append(line, "ready", status.getReadyReplicas() + "/" + status.getReplicas());
    for (String type : List.of("Ready", "Progressing", "Degraded", "MetricsAvailable", "Retraining")) {
      String value = condition(status.getConditions(), type);
      if (value != null) {
        append(line, type, value);
      }
    }
    String triggers = triggers(deployment);
    if (!triggers.isEmpty()) {
      append(line, "triggers", "[" + triggers + "]");
    }
    if (status.getLastRetrain() != null) {
      append(line, "lastRetrain", status.getLastRetrain().getTrainingJob() + " " + status.getLastRetrain().getOutcome());
    }
    return line.toString().trim();
  }

  /** The triggers' values, e.g. {@code feature-drift=3.21 (firing)}; empty when none were evaluated. */
  static String triggers(ModelDeployment deployment) {
    if (deployment.getStatus() == null || deployment.getStatus().getTriggers() == null) {
      return "";
    }
    return deployment.getStatus().getTriggers().stream().map(StatusLines::trigger).collect(Collectors.joining(", "));
  }

  private static String trigger(TriggerStatus trigger) {
    String value = trigger.getValue() == null ? "n/a" : String.format(Locale.ROOT, "%.2f", trigger.getValue());
    return trigger.getName() + "=" + value + (Boolean.TRUE.equals(trigger.getFiring()) ? " (firing)" : "");
  }

  /** "True" or "False (Reason)" for a condition, or null when it is absent. */
  public static String condition(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(condition -> type.equals(condition.getType())).findFirst()
        .map(condition -> "True".equals(String.valueOf(condition.getStatus())) ? "True"
            : condition.getStatus() + " (" + condition.getReason() + ")")
        .orElse(null);
  }

  private static void appendUnlessReady(StringBuilder line, List<Condition> conditions) {
    String ready = condition(conditions, "Ready");
    if (ready != null && !ready.equals("True")) {
      append(line, "ready", ready);
    }
  }

  private static String numbers(Map<String, Double> metrics) {
    return new TreeMap<>(metrics).entrySet().stream()
        .map(entry -> entry.getKey() + "=" + String.format(Locale.ROOT, "%.3f", entry.getValue()))
        .collect(Collectors.joining(",", "{", "}"));
  }

  private static void append(StringBuilder line, String key, String value) {
    if (value != null) {
      line.append(line.isEmpty() ? "" : "  ").append(key).append('=').append(value);
    }
  }
}
