package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixtures.DIGEST;
import static dev.flywheel.operator.serving.ServingFixtures.mdep;
import static dev.flywheel.operator.serving.ServingFixtures.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Names, labels, tracks and the served version of a ModelDeployment's children. */
class ServingNamesTest {
  @Test
  void childrenAreNamedAfterTheModelDeploymentAndFitInADnsLabel() {
    ModelDeployment mdep = mdep("model: churn\nversion: churn-v3\n");
    assertThat(Names.servingDeployment(mdep, Track.STABLE)).isEqualTo("churn-stable");
    assertThat(Names.servingDeployment(mdep, Track.CANARY)).isEqualTo("churn-canary");
    assertThat(Names.servingService(mdep)).isEqualTo("churn");
    assertThat(Names.trackService(mdep, Track.STABLE)).isEqualTo("churn-stable");
    assertThat(Names.trackService(mdep, Track.CANARY)).isEqualTo("churn-canary");
    assertThat(Names.disruptionBudget(mdep)).isEqualTo("churn");
    assertThat(Names.podMonitor(mdep)).isEqualTo("churn");
    assertThat(Names.httpRoute(mdep)).isEqualTo("churn");

    ModelDeployment longest = mdep("model: churn\nversion: churn-v3\n");
    longest.getMetadata().setName("m" + "x".repeat(49));
    assertThat(Names.servingDeployment(longest, Track.CANARY)).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void servingLabelsNameTheModelAndTheDeploymentAndSelectorsOnlyTheDeploymentAndTrack() {
    ModelDeployment mdep = mdep("model: churn\nversion: churn-v3\n");
    mdep.getMetadata().setName("churn-prod");
    assertThat(Labels.serving(mdep)).containsExactlyEntriesOf(orderedMap(
        "app.kubernetes.io/name", "flywheel-model-server", "app.kubernetes.io/instance", "churn-prod",
        "app.kubernetes.io/component", "serving", "app.kubernetes.io/part-of", "flywheel",
        "app.kubernetes.io/managed-by", "flywheel-operator", "mlops.flywheel.dev/model", "churn",
        "mlops.flywheel.dev/deployment", "churn-prod"));
    assertThat(Labels.serving(mdep, Track.CANARY)).containsEntry(Labels.TRACK, "canary").hasSize(8);
    assertThat(Labels.servingSelector(mdep)).containsExactlyEntriesOf(Map.of("mlops.flywheel.dev/deployment", "churn-prod"));
    assertThat(Labels.servingSelector(mdep, Track.STABLE)).containsExactlyInAnyOrderEntriesOf(
        Map.of("mlops.flywheel.dev/deployment", "churn-prod", "mlops.flywheel.dev/track", "stable"));
    assertThat(Track.STABLE.label()).isEqualTo("stable");
    assertThat(Track.CANARY.label()).isEqualTo("canary");
  }

  @Test
  void labelValuesFitTheLimit() {
    assertThat(Labels.value("churn-v3")).isEqualTo("churn-v3");
    assertThat(Labels.value("a".repeat(62) + "-b")).isEqualTo("a".repeat(62));
    assertThat(Labels.value("a".repeat(70))).hasSize(63);
  }

  @Test
  void theServedVersionIsReadFromTheModelVersion() {
    assertThat(ServedVersion.of(version("churn-v4",
        "{uri: \"s3://acme/churn/v4\", digest: \"" + DIGEST + "\", format: torchscript, secretRef: {name: s3-creds}}")))
        .isEqualTo(new ServedVersion("churn-v4", "churn", "s3://acme/churn/v4", DIGEST, "torchscript", "s3-creds"));
    assertThat(ServedVersion.of(version("churn-v3", "{uri: \"pvc://models/churn/3\", digest: \"" + DIGEST + "\"}")))
        .isEqualTo(new ServedVersion("churn-v3", "churn", "pvc://models/churn/3", DIGEST, "flywheel-mlp", null));
  }

  private static Map<String, String> orderedMap(String... keysAndValues) {
    Map<String, String> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
