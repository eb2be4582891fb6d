package dev.flywheel.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.RolloutStrategy;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Defaults that the schema fills in, and the updates it allows. */
class DefaultsAndUpdatesTest {
  private static final ManifestValidator VALIDATOR = ManifestValidator.fromDirectory(RepoPaths.chartCrds());
  private static final YAMLMapper YAML = new YAMLMapper();

  private static JsonNode yaml(String text) throws Exception {
    return YAML.readTree(text);
  }

  @Test
  void minimalTrainingJobGetsSensibleDefaults() throws Exception {
    JsonNode minimal = yaml("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: churn-1, namespace: ml}
        spec:
          model: churn
          task: binaryClassification
          dataset: {uri: "file:///data/churn.csv", label: churned}
          output: {uri: "file:///models"}
        """);
    ManifestValidator.Result result = VALIDATOR.validateCreate(minimal);
    assertThat(result.errors()).isEmpty();

    TrainingJob job = Serialization.unmarshal(result.defaulted().toString(), TrainingJob.class);
    assertThat(job.getSpec().getSeed()).isEqualTo(42L);
    assertThat(job.getSpec().getValidationSplit()).isEqualTo(0.2);
    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
    assertThat(job.getSpec().getDataset().getClassification()).isEqualTo(DataClassification.INTERNAL);
    assertThat(job.getSpec().getAlgorithm().getHiddenLayers()).containsExactly(64, 32);
    assertThat(job.getSpec().getAlgorithm().getEpochs()).isEqualTo(20);
    assertThat(job.getSpec().getAlgorithm().getLearningRate()).isEqualTo(0.001);
    assertThat(job.getSpec().getPlacement().getSite()).isEqualTo("auto");
  }

  @Test
  void minimalDeploymentAndSiteGetDefaults() throws Exception {
    ManifestValidator.Result deployment = VALIDATOR.validateCreate(yaml("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: churn, namespace: ml}
        spec: {model: churn, followStage: Production}
        """));
    assertThat(deployment.errors()).isEmpty();
    ModelDeployment mdep = Serialization.unmarshal(deployment.defaulted().toString(), ModelDeployment.class);
    assertThat(mdep.getSpec().getReplicas()).isEqualTo(1);
    assertThat(mdep.getSpec().getRollout().getStrategy()).isEqualTo(RolloutStrategy.RollingUpdate);
    assertThat(mdep.getSpec().getRollout().getAutoRollback()).isTrue();
    assertThat(mdep.getSpec().getServer().getMaxBatchSize()).isEqualTo(32);
    assertThat(mdep.getSpec().getServer().getMaxBatchDelay()).isEqualTo("2ms");
    assertThat(mdep.getSpec().getMonitoring().getScrapeInterval()).isEqualTo("15s");

    ManifestValidator.Result site = VALIDATOR.validateCreate(yaml("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: Site
        metadata: {name: pool-a}
        spec: {type: nodePool}
        """));
    assertThat(site.errors()).isEmpty();
    Site typed = Serialization.unmarshal(site.defaulted().toString(), Site.class);
    assertThat(typed.getSpec().getAllowedClassifications())
        .as("a site holds no restricted data unless it says so")
        .containsExactly(DataClassification.PUBLIC, DataClassification.INTERNAL);
    assertThat(typed.getSpec().getBurst()).isFalse();
  }

  @Test
  void retrainingDefaultsKeepCooldownAboveTheTriggerDefault() throws Exception {
    ManifestValidator.Result result = VALIDATOR.validateCreate(yaml("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelDeployment
        metadata: {name: churn, namespace: ml}
        spec:
          model: churn
          followStage: Production
          retraining:
            triggers: [{name: drift, type: drift, threshold: 0.2}]
        """));
    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().at("/spec/retraining/cooldown").asText()).isEqualTo("1h");
    assertThat(result.defaulted().at("/spec/retraining/triggers/0/for").asText()).isEqualTo("5m");
    assertThat(result.defaulted().at("/spec/retraining/enabled").asBoolean()).isFalse();
  }

  @Test
  void modelVersionStageAndDescriptionMayChange() throws Exception {
    JsonNode stored = ManifestValidator.readAll(RepoPaths.examples().resolve("bring-your-own-model/modelversion-onnx.yaml")).get(0);
    ObjectNode promoted = stored.deepCopy();
    ((ObjectNode) promoted.get("spec")).put("stage", "Production").put("description", "promoted after review");
    assertThat(VALIDATOR.validateUpdate(stored, promoted).errors()).isEmpty();
  }

  @Test
  void trainingJobMetadataMayChangeButNotItsSpec() throws Exception {
    JsonNode stored = ManifestValidator.readAll(RepoPaths.examples().resolve("churn-on-prem/trainingjob-churn.yaml")).get(0);
    ObjectNode labelled = stored.deepCopy();
    ((ObjectNode) labelled.get("metadata")).putObject("labels").put("team", "retention");
    assertThat(VALIDATOR.validateUpdate(stored, labelled).errors()).isEmpty();

    ObjectNode retargeted = stored.deepCopy();
    ((ObjectNode) retargeted.at("/spec/placement")).put("site", "cloud-eu-west");
    assertThat(VALIDATOR.validateUpdate(stored, retargeted).errors())
        .singleElement()
        .satisfies(e -> assertThat(e.field()).isEqualTo("spec"));
  }

  @Test
  void everyRefusalIsReportedNotJustTheFirst() throws Exception {
    ManifestValidator.Result result = VALIDATOR.validateCreate(yaml("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: TrainingJob
        metadata: {name: churn-1, namespace: ml}
        spec:
          model: churn
          task: ranking
          dataset: {uri: "ftp://x/y.csv"}
        """));
    assertThat(result.errors().stream().map(e -> e.field()).toList())
        .containsExactlyInAnyOrderElementsOf(List.of("spec.task", "spec.dataset.uri", "spec.dataset.label", "spec.output"));
  }
}
