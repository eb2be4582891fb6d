package dev.flywheel.operator.trainingjob;

import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.crds.trainingjob.Algorithm;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.trainingjob.TrainingJobSpec;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.RuntimeJob;
import dev.flywheel.operator.common.RuntimePod;
import dev.flywheel.operator.common.StorageMounts;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The batch Job that runs {@code flywheel-model train} for a TrainingJob: a pure function of the TrainingJob, the
 * Site it was placed on and the default image, so it is tested without a cluster.
 */
public final class TrainerJobBuilder {
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
    StorageMounts storage = new StorageMounts();
    List<String> args = arguments(trainingJob, storage);
    return new RuntimeJob()
        .name(Names.trainingJob(trainingJob))
        .namespace(trainingJob.getMetadata().getNamespace())
        .pod(new RuntimePod()
            .labels(Labels.training(trainingJob.getMetadata().getName(), spec.getModel(), siteName))
            .image(spec.getImage() != null ? spec.getImage() : defaultImage)
            .args(args)
            .storage(storage)
            .site(site)
            .resources(spec.getResources())
            .credentialsSecret(spec.getDataset().getSecretRef() != null ? spec.getDataset().getSecretRef().getName() : null))
        .backoffLimit(spec.getBackoffLimit() != null ? spec.getBackoffLimit() : 2)
        .activeDeadlineSeconds(spec.getActiveDeadlineSeconds())
        .ttlSecondsAfterFinished(spec.getTtlSecondsAfterFinished())
        .owner(owned ? trainingJob : null)
        .build();
  }

  private static List<String> arguments(TrainingJob trainingJob, StorageMounts storage) {
    TrainingJobSpec spec = trainingJob.getSpec();
    Algorithm algorithm = spec.getAlgorithm() != null ? spec.getAlgorithm() : new Algorithm();
    List<String> args = new ArrayList<>(List.of("train", "--data", storage.read(spec.getDataset().getUri())));
    if (spec.getDataset().getAdditionalUris() != null) {
      spec.getDataset().getAdditionalUris().forEach(uri -> args.addAll(List.of("--data", storage.read(uri))));
    }
    args.addAll(List.of("--label", spec.getDataset().getLabel(), "--task", taskName(spec)));
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
