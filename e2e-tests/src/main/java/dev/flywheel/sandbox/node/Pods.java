package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What the controllers ask of pods: making one from a template for an owner, and reading its phase and readiness. */
final class Pods {
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Pods() {}

  /** A pod of the template named {@code <prefix>-<5 random characters>}, with extra labels, controlled by the owner. */
  static Pod fromTemplate(PodTemplateSpec template, HasMetadata owner, String prefix, Map<String, String> extraLabels) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.putAll(extraLabels);
    Map<String, String> annotations = template.getMetadata() == null || template.getMetadata().getAnnotations() == null
        ? null : new LinkedHashMap<>(template.getMetadata().getAnnotations());
    OwnerReference reference = new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion()).withKind(owner.getKind()).withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
    return new PodBuilder()
        .withNewMetadata()
          .withName(prefix + "-" + suffix())
          .withNamespace(owner.getMetadata().getNamespace())
          .withLabels(labels)
          .withAnnotations(annotations)
          .withOwnerReferences(reference)
        .endMetadata()
        .withSpec(template.getSpec())
        .build();
  }

  static String suffix() {
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return suffix.toString();
  }

  /** The uid of the pod's controller (its owner reference with controller: true), if any. */
  static Optional<String> controllerUid(HasMetadata object) {
    return object.getMetadata().getOwnerReferences() == null ? Optional.empty() : object.getMetadata().getOwnerReferences().stream()
        .filter(reference -> Boolean.TRUE.equals(reference.getController())).map(OwnerReference::getUid).findFirst();
  }

  static String phase(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
  }

  static boolean terminal(Pod pod) {
    return "Succeeded".equals(phase(pod)) || "Failed".equals(phase(pod));
  }

  static Optional<PodCondition> condition(Pod pod, String type) {
    return pod.getStatus() == null || pod.getStatus().getConditions() == null ? Optional.empty()
        : pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static boolean ready(Pod pod) {
    return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  /** When the pod became ready (its Ready condition's lastTransitionTime), if it is. */
  static Optional<Instant> readySince(Pod pod) {
    return condition(pod, "Ready").filter(c -> "True".equals(c.getStatus()))
        .map(c -> c.getLastTransitionTime() == null ? Instant.EPOCH : Timestamps.parse(c.getLastTransitionTime()));
  }

  /** When the pod's last container finished, for the Job controller's back-off. */
  static Instant finishedAt(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? Instant.EPOCH
        : pod.getStatus().getContainerStatuses().stream()
            .filter(s -> s.getState() != null && s.getState().getTerminated() != null && s.getState().getTerminated().getFinishedAt() != null)
            .map(s -> Timestamps.parse(s.getState().getTerminated().getFinishedAt()))
            .max(Instant::compareTo).orElse(Instant.EPOCH);
  }

  static int restarts(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? 0
        : pod.getStatus().getContainerStatuses().stream().mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount()).sum();
  }
}
