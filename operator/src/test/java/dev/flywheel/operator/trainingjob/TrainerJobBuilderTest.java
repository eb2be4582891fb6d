package dev.flywheel.operator.trainingjob;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.operator.common.RestrictedProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trainer Job built from a TrainingJob, without a cluster. */
class TrainerJobBuilderTest {
  static TrainingJob trainingJob(String yamlSpec) {
    return Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: churn-1, namespace: ml, uid: 1234-abcd}
        spec:
        """ + yamlSpec.indent(2), TrainingJob.class);
  }

  static final String RESTRICTED = """
      model: churn
      task: binaryClassification
      dataset: {uri: "pvc://customer-data/churn/2026-11.csv", label: churned, features: [tenure, contract], classification: restricted}
      algorithm: {hiddenLayers: [64, 32], epochs: 30, batchSize: 64, learningRate: 0.001}
      seed: 7
      validationSplit: 0.25
      output: {uri: "pvc://models/churn"}
      resources: {requests: {cpu: "1", memory: 2Gi}, limits: {memory: 4Gi}}
      backoffLimit: 1
      activeDeadlineSeconds: 3600
      ttlSecondsAfterFinished: 600
      """;

  @Test
  void jobRunsTheTrainerWithTheSpecsOptionsAndMountsPvcData() {
    SiteSpec site = new SiteSpec();
    site.setNodeSelector(Map.of("pool", "ml"));
    site.setTolerations(List.of(new Toleration("NoSchedule", "dedicated", "Equal", null, "ml")));
    Job job = TrainerJobBuilder.build(trainingJob(RESTRICTED), "onprem", site, "flywheel/model:1", true);

    assertThat(job.getMetadata().getName()).isEqualTo("churn-1-train");
    assertThat(job.getMetadata().getLabels()).containsEntry("mlops.flywheel.dev/model", "churn")
        .containsEntry("mlops.flywheel.dev/training-job", "churn-1").containsEntry("mlops.flywheel.dev/site", "onprem")
        .containsEntry("app.kubernetes.io/managed-by", "flywheel-operator");
    assertThat(job.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("TrainingJob");
      assertThat(o.getController()).isTrue();
    });
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(3600L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(600);

    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("pool", "ml");
    assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("dedicated");
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getAutomountServiceAccountToken()).as("the trainer needs no API access").isFalse();
    Container trainer = pod.getContainers().get(0);
    assertThat(trainer.getImage()).isEqualTo("flywheel/model:1");
    assertThat(trainer.getArgs()).containsExactly("train",
        "--data", "/mnt/pvc/customer-data/churn/2026-11.csv", "--label", "churned", "--task", "binaryClassification",
        "--features", "tenure,contract", "--hidden-layers", "64,32", "--epochs", "30", "--batch-size", "64",
        "--learning-rate", "0.001", "--seed", "7", "--validation-split", "0.25",
        "--out", "/mnt/pvc/models/churn/churn/churn-1", "--termination-log", "/dev/termination-log");
    assertThat(trainer.getResources().getLimits()).containsKey("memory");
    assertThat(pod.getVolumes()).extracting(v -> v.getName() + ":" + (v.getPersistentVolumeClaim() == null ? "emptyDir"
            : v.getPersistentVolumeClaim().getClaimName() + (v.getPersistentVolumeClaim().getReadOnly() ? ":ro" : ":rw")))
        .containsExactly("scratch:emptyDir", "pvc-customer-data:customer-data:ro", "pvc-models:models:rw");
    assertThat(trainer.getVolumeMounts()).extracting(m -> m.getMountPath() + (Boolean.TRUE.equals(m.getReadOnly()) ? ":ro" : ""))
        .containsExactly("/tmp", "/mnt/pvc/customer-data:ro", "/mnt/pvc/models");
    assertThat(trainer.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("DJL_OFFLINE=true"));
  }

  @Test
  void everyTrainerPodMeetsTheRestrictedPodSecurityStandard() {
    Job job = TrainerJobBuilder.build(trainingJob(RESTRICTED), "onprem", new SiteSpec(), "flywheel/model:1", true);
    assertThat(RestrictedProfile.violations(job.getSpec().getTemplate().getSpec())).isEmpty();
    assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
  }

  @Test
  void credentialsAreReferencedFromTheSecretNeverCopied() {
    TrainingJob job = trainingJob("""
        model: demand
        task: regression
        dataset: {uri: "https://data.example/demand.csv", label: units, secretRef: {name: analytics-credentials}}
        output: {uri: "file:///models"}
        image: my/trainer:2
        """);
    Job built = TrainerJobBuilder.build(job, "cloud", null, "flywheel/model:1", false);
    Container trainer = built.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(trainer.getEnvFrom()).singleElement().satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("analytics-credentials"));
    assertThat(Serialization.asYaml(built)).doesNotContain("AWS_SECRET").doesNotContain("password");
    assertThat(trainer.getImage()).isEqualTo("my/trainer:2");
    assertThat(trainer.getArgs()).contains("--data", "https://data.example/demand.csv", "--out", "/models/demand/churn-1");
    assertThat(built.getMetadata().getOwnerReferences()).as("a Job on another cluster has no owner there").isEmpty();
  }

  @Test
  void validatorReadsS3ArtifactsWithTheArtifactsSecretReferenced() {
    dev.flywheel.crds.modelversion.ModelVersion version = Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: fraud-v1, namespace: ml, uid: 42}
        spec:
          model: fraud
          version: 1
          artifact: {uri: "s3://acme-models/fraud/v1", digest: "sha256:%s", format: onnx, secretRef: {name: fraud-models-s3}}
        """.formatted("ab".repeat(32)), dev.flywheel.crds.modelversion.ModelVersion.class);
    assertThat(dev.flywheel.operator.modelversion.ValidatorJobBuilder.reachable(version)).isTrue();
    Job job = dev.flywheel.operator.modelversion.ValidatorJobBuilder.build(version, "onprem", new SiteSpec(), "flywheel/model:1", true);
    Container validator = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(validator.getArgs()).containsSequence("--bundle", "s3://acme-models/fraud/v1");
    assertThat(validator.getEnvFrom()).singleElement().satisfies(e -> assertThat(e.getSecretRef().getName()).isEqualTo("fraud-models-s3"));
    assertThat(RestrictedProfile.violations(job.getSpec().getTemplate().getSpec())).isEmpty();
  }

  @Test
  void additionalDataIsReadAfterTheDatasetMatchedByColumn() {
    Job job = TrainerJobBuilder.build(trainingJob(RESTRICTED.replace("classification: restricted}",
        "classification: restricted, additionalUris: [\"pvc://captures/churn/\"]}")), "onprem", new SiteSpec(), "flywheel/model:1", true);
    List<String> args = job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
    assertThat(args).containsSubsequence("--data", "/mnt/pvc/customer-data/churn/2026-11.csv", "--data", "/mnt/pvc/captures/churn/", "--label");
  }
}
