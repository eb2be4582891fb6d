package dev.flywheel.operator.common;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A batch Job running one flywheel-model command (train, validate) in a {@link RuntimePod}, with named settings; the
 * Job carries its pod's labels, and its pod restarts {@code Never} unless the pod says otherwise. Also reads what the
 * command reported through its termination message.
 */
public final class RuntimeJob {
  /** The one container of every runtime Job; the operator reads its termination message. */
  public static final String CONTAINER = RuntimePod.CONTAINER;

  private String name;
  private String namespace;
  private RuntimePod pod = new RuntimePod();
  private Integer backoffLimit;
  private Long activeDeadlineSeconds;
  private Integer ttlSecondsAfterFinished;
  private HasMetadata owner;

  public RuntimeJob name(String name) {
    this.name = name;
    return this;
  }

  public RuntimeJob namespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  /** The pod the Job runs; its labels label the Job too. */
  public RuntimeJob pod(RuntimePod pod) {
    this.pod = pod;
    return this;
  }

  public RuntimeJob backoffLimit(Integer backoffLimit) {
    this.backoffLimit = backoffLimit;
    return this;
  }

  public RuntimeJob activeDeadlineSeconds(Long activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
    return this;
  }

  public RuntimeJob ttlSecondsAfterFinished(Integer ttlSecondsAfterFinished) {
    this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
    return this;
  }

  /** The resource the Job belongs to (controller owner reference, so deletion cascades); null when it lives elsewhere. */
  public RuntimeJob owner(HasMetadata owner) {
    this.owner = owner;
    return this;
  }

  public Job build() {
    PodTemplateSpec template = pod.build();
    if (template.getSpec().getRestartPolicy() == null) {
      template.getSpec().setRestartPolicy("Never");
    }
    JobBuilder job = new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(template.getMetadata().getLabels()).endMetadata()
        .withNewSpec()
          .withBackoffLimit(backoffLimit)
          .withActiveDeadlineSeconds(activeDeadlineSeconds)
          .withTtlSecondsAfterFinished(ttlSecondsAfterFinished)
          .withTemplate(template)
        .endSpec();
    if (owner != null) {
      job.editMetadata().withOwnerReferences(OwnerReferences.controller(owner)).endMetadata();
    }
    return job.build();
  }

  /** The termination message of this container in the most recently finished of the pods, if any. */
  public static Optional<String> terminationMessage(List<Pod> pods) {
    return pods.stream()
        .flatMap(p -> p.getStatus() == null || p.getStatus().getContainerStatuses() == null
            ? Stream.<ContainerStatus>empty() : p.getStatus().getContainerStatuses().stream())
        .filter(s -> CONTAINER.equals(s.getName()) && s.getState() != null && s.getState().getTerminated() != null)
        .map(s -> s.getState().getTerminated())
        .max(Comparator.comparing(t -> t.getFinishedAt() == null ? "" : t.getFinishedAt()))
        .map(t -> t.getMessage() == null ? "" : t.getMessage());
  }

  /** The JSON result a flywheel-model command wrote as its termination message, when it is one (an object with a status). */
  public static Optional<JsonNode> result(String terminationMessage) {
    try {
      JsonNode json = Serialization.jsonMapper().readTree(terminationMessage);
      return json != null && json.isObject() && json.has("status") ? Optional.of(json) : Optional.empty();
    } catch (Exception notJson) {
      return Optional.empty();
    }
  }

  /** What to report when a command left no JSON result: its message as it is, or that there was none. */
  public static String withoutResult(String terminationMessage, String command) {
    if (terminationMessage == null || terminationMessage.isBlank()) {
      return "the " + command + " ended without a result";
    }
    String text = terminationMessage.strip();
    return text.length() > 1000 ? text.substring(0, 1000) : text;
  }
}
