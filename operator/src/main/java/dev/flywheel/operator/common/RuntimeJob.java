package dev.flywheel.operator.common;

import dev.flywheel.crds.site.SiteSpec;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.Map;

/**
 * A batch Job running one flywheel-model command (train, validate): the pod every such Job shares — restricted pod
 * security, no API token, a writable /tmp for DJL's natives under a read-only root, DJL offline, the Site's node
 * selector and tolerations, pvc:// mounts, and credentials referenced from a Secret.
 */
public record RuntimeJob(
    String name,
    String namespace,
    Map<String, String> labels,
    String image,
    List<String> args,
    StorageMounts storage,
    SiteSpec site,
    ResourceRequirements resources,
    String credentialsSecret,
    Integer backoffLimit,
    Long activeDeadlineSeconds,
    Integer ttlSecondsAfterFinished,
    HasMetadata owner) {

  /** The one container of every runtime Job; the operator reads its termination message. */
  public static final String CONTAINER = "flywheel-model";
  static final String SCRATCH = "/tmp";

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

  public Job build() {
    ContainerBuilder container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image)
        .withArgs(args)
        .withTerminationMessagePath("/dev/termination-log")
        .withTerminationMessagePolicy("File")
        .withEnv(new EnvVar("HOME", SCRATCH, null), new EnvVar("DJL_CACHE_DIR", SCRATCH + "/djl", null),
            new EnvVar("DJL_OFFLINE", "true", null), new EnvVar("OPT_OUT_TRACKING", "true", null))
        .withSecurityContext(RestrictedPodSecurity.container())
        .withVolumeMounts(new VolumeMountBuilder().withName("scratch").withMountPath(SCRATCH).build())
        .addAllToVolumeMounts(storage.mounts());
    if (resources != null) {
      container.withResources(resources);
    }
    if (credentialsSecret != null) {
      container.withEnvFrom(new EnvFromSourceBuilder().withNewSecretRef(credentialsSecret, false).build());
    }
    JobBuilder job = new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
        .withNewSpec()
          .withBackoffLimit(backoffLimit)
          .withActiveDeadlineSeconds(activeDeadlineSeconds)
          .withTtlSecondsAfterFinished(ttlSecondsAfterFinished)
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withNewSpec()
              .withRestartPolicy("Never")
              .withAutomountServiceAccountToken(false)
              .withSecurityContext(RestrictedPodSecurity.pod())
              .withNodeSelector(site != null ? site.getNodeSelector() : null)
              .withTolerations(site != null && site.getTolerations() != null ? site.getTolerations() : List.of())
              .withContainers(container.build())
              .addToVolumes(new VolumeBuilder().withName("scratch").withNewEmptyDir().endEmptyDir().build())
              .addAllToVolumes(storage.volumes())
            .endSpec()
          .endTemplate()
        .endSpec();
    if (owner != null) {
      job.editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
          .withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
          .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
          .withController(true).withBlockOwnerDeletion(true).build()).endMetadata();
    }
    return job.build();
  }
}
