package dev.flywheel.operator.trainingjob;

import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.crds.trainingjob.Algorithm;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingJobSpec;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.RestrictedPodSecurity;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The batch Job that runs {@code flywheel-model train} for a TrainingJob: a pure function of the TrainingJob, the
 * Site it was placed on and the default image, so it is tested without a cluster.
 */
public final class TrainerJobBuilder {
  static final String CONTAINER = "trainer";
  static final String SCRATCH = "/tmp";

  private TrainerJobBuilder() {}

  /** The bundle location for a TrainingJob: {@code <output.uri>/<model>/<trainingjob name>}. */
  public static String bundleUri(TrainingJob trainingJob) {
    String base = trainingJob.getSpec().getOutput().getUri().replaceAll("/+$", "");
    return base + "/" + trainingJob.getSpec().getModel() + "/" + trainingJob.getMetadata().getName();
  }

  /**
   * @param site the Site's name and spec; its node selector and tolerations go on the pod
   * @param defaultImage used unless the TrainingJob names its own image
   * @param owned whether the Job lives in the TrainingJob's cluster (owner reference, so deletion cascades)
   */
  public static Job build(TrainingJob trainingJob, String siteName, SiteSpec site, String defaultImage, boolean owned) {
    TrainingJobSpec spec = trainingJob.getSpec();
    String name = trainingJob.getMetadata().getName();
    Map<String, String> labels = Labels.training(name, spec.getModel(), siteName);
    StorageMounts storage = new StorageMounts();
    List<String> args = arguments(trainingJob, storage);

    ContainerBuilder container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.getImage() != null ? spec.getImage() : defaultImage)
        .withArgs(args)
        .withTerminationMessagePath("/dev/termination-log")
        .withTerminationMessagePolicy("File")
        .withEnv(new EnvVar("HOME", SCRATCH, null), new EnvVar("DJL_CACHE_DIR", SCRATCH + "/djl", null),
            new EnvVar("DJL_OFFLINE", "true", null), new EnvVar("OPT_OUT_TRACKING", "true", null))
        .withSecurityContext(RestrictedPodSecurity.container())
        .withVolumeMounts(new VolumeMountBuilder().withName("scratch").withMountPath(SCRATCH).build())
        .addAllToVolumeMounts(storage.mounts());
    if (spec.getResources() != null) {
      container.withResources(spec.getResources());
    }
    if (spec.getDataset().getSecretRef() != null) {
      container.withEnvFrom(new EnvFromSourceBuilder().withNewSecretRef(spec.getDataset().getSecretRef().getName(), false).build());
    }

    JobBuilder job = new JobBuilder()
        .withNewMetadata()
          .withName(Names.trainingJob(trainingJob))
          .withNamespace(trainingJob.getMetadata().getNamespace())
          .withLabels(labels)
        .endMetadata()
        .withNewSpec()
          .withBackoffLimit(spec.getBackoffLimit() != null ? spec.getBackoffLimit() : 2)
          .withActiveDeadlineSeconds(spec.getActiveDeadlineSeconds())
          .withTtlSecondsAfterFinished(spec.getTtlSecondsAfterFinished())
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
    if (owned) {
      job.editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
          .withApiVersion(trainingJob.getApiVersion()).withKind(trainingJob.getKind())
          .withName(name).withUid(trainingJob.getMetadata().getUid())
          .withController(true).withBlockOwnerDeletion(true).build()).endMetadata();
    }
    return job.build();
  }

  private static List<String> arguments(TrainingJob trainingJob, StorageMounts storage) {
    TrainingJobSpec spec = trainingJob.getSpec();
    Algorithm algorithm = spec.getAlgorithm() != null ? spec.getAlgorithm() : new Algorithm();
    List<String> args = new ArrayList<>(List.of("train",
        "--data", storage.read(spec.getDataset().getUri()),
        "--label", spec.getDataset().getLabel(),
        "--task", taskName(spec)));
    if (spec.getDataset().getFeatures() != null && !spec.getDataset().getFeatures().isEmpty()) {
      args.addAll(List.of("--features", String.join(",", spec.getDataset().getFeatures())));
    }
    if (algorithm.getHiddenLayers() != null) {
      args.addAll(List.of("--hidden-layers", algorithm.getHiddenLayers().stream().map(String::valueOf).collect(Collectors.joining(","))));
    }
    add(args, "--epochs", algorithm.getEpochs());
    add(args, "--batch-size", algorithm.getBatchSize());
    add(args, "--learning-rate", algorithm.getLearningRate());
    add(args, "--seed", spec.getSeed());
    add(args, "--validation-split", spec.getValidationSplit());
    args.addAll(List.of("--out", storage.write(bundleUri(trainingJob)), "--termination-log", "/dev/termination-log"));
    return args;
  }

  /** The task as the API spells it (binaryClassification, …), which is also the trainer's --task value. */
  private static String taskName(TrainingJobSpec spec) {
    return Serialization.jsonMapper().convertValue(spec.getTask(), String.class);
  }

  private static void add(List<String> args, String flag, Object value) {
    if (value != null) {
      args.addAll(List.of(flag, String.valueOf(value)));
    }
  }
}
