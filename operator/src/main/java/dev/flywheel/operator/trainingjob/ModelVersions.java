package dev.flywheel.operator.trainingjob;

import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.common.Labels;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** Registers the ModelVersion of a TrainingJob exactly once, with the model's next version number. */
final class ModelVersions {
  private ModelVersions() {}

  /**
   * Returns the ModelVersion this TrainingJob already registered (found by label, so a replayed event or a restart
   * after a lost status write never registers twice), or registers version max + 1 of the model. Two jobs racing for
   * one number: the loser's create conflicts and the reconciliation is retried with the next number.
   */
  static ModelVersion registerOnce(KubernetesClient client, TrainingJob trainingJob, TrainerResult result, String image) {
    String namespace = trainingJob.getMetadata().getNamespace();
    List<ModelVersion> existing = client.resources(ModelVersion.class).inNamespace(namespace)
        .withLabel(Labels.TRAINING_JOB, trainingJob.getMetadata().getName()).list().getItems();
    if (!existing.isEmpty()) {
      return existing.get(0);
    }
    String model = trainingJob.getSpec().getModel();
    int next = 1 + client.resources(ModelVersion.class).inNamespace(namespace).list().getItems().stream()
        .filter(mv -> mv.getSpec() != null && model.equals(mv.getSpec().getModel()) && mv.getSpec().getVersion() != null)
        .mapToInt(mv -> mv.getSpec().getVersion())
        .max().orElse(0);
    ModelVersion version = ModelVersionBuilder.build(trainingJob, result, next, image);
    return client.resources(ModelVersion.class).inNamespace(namespace).resource(version).create();
  }
}
