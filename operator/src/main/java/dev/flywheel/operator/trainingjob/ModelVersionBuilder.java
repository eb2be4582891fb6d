package dev.flywheel.operator.trainingjob;

import dev.flywheel.crds.modelversion.Artifact;
import dev.flywheel.crds.modelversion.ArtifactFormat;
import dev.flywheel.crds.modelversion.Lineage;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.ModelVersionSpec;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;

/** The ModelVersion a successful TrainingJob registers: a pure function of the job, the trainer's result and the version. */
public final class ModelVersionBuilder {
  private ModelVersionBuilder() {}

  public static ModelVersion build(TrainingJob trainingJob, TrainerResult result, int version, String image) {
    String model = trainingJob.getSpec().getModel();
    ModelVersion mv = new ModelVersion();
    mv.setMetadata(new ObjectMetaBuilder()
        .withName(Names.modelVersion(model, version))
        .withNamespace(trainingJob.getMetadata().getNamespace())
        .withLabels(Map.of(Labels.MODEL, model, Labels.TRAINING_JOB, trainingJob.getMetadata().getName(),
            Labels.STAGE, Stage.None.name(), Labels.MANAGED_BY, Labels.OPERATOR))
        .build());
    ModelVersionSpec spec = new ModelVersionSpec();
    spec.setModel(model);
    spec.setVersion(version);
    Artifact artifact = new Artifact();
    artifact.setUri(TrainerJobBuilder.bundleUri(trainingJob));
    artifact.setDigest(result.bundleDigest());
    artifact.setFormat(ArtifactFormat.FLYWHEEL_MLP);
    spec.setArtifact(artifact);
    spec.setClassification(trainingJob.getSpec().getDataset().getClassification());
    spec.setMetrics(result.metrics().isEmpty() ? null : result.metrics());
    Lineage lineage = new Lineage();
    lineage.setTrainingJob(trainingJob.getMetadata().getName());
    lineage.setDatasetUri(trainingJob.getSpec().getDataset().getUri());
    lineage.setDatasetDigest(result.datasetDigest());
    lineage.setSeed(result.seed() != null ? result.seed() : trainingJob.getSpec().getSeed());
    lineage.setHyperparameters(result.hyperparameters().isEmpty() ? null : result.hyperparameters());
    lineage.setImage(image);
    spec.setLineage(lineage);
    spec.setStage(Stage.None);
    spec.setDescription("Trained by TrainingJob " + trainingJob.getMetadata().getName() + ".");
    mv.setSpec(spec);
    return mv;
  }
}
