package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Helm chart users install: it lints strictly and installs every Flywheel kind with the same schema the code has. */
class HelmChartTest {
  private static final Path CHART = RepoPaths.root().resolve("helm/flywheel");

  @Test
  void chartLintsStrictly() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }

  @Test
  void chartInstallsEveryFlywheelKindInItsCategory() throws Exception {
    List<JsonNode> crds;
    try (Stream<Path> files = Files.list(CHART.resolve("crds"))) {
      crds = files.sorted().flatMap(f -> ManifestValidator.readAll(f).stream()).toList();
    }
    assertThat(crds).extracting(c -> c.at("/spec/names/kind").asText())
        .containsExactlyInAnyOrder("TrainingJob", "ModelVersion", "ModelDeployment", "Site");
    assertThat(crds).allSatisfy(crd -> {
      assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
      assertThat(crd.at("/spec/group").asText()).isEqualTo("mlops.flywheel.dev");
      assertThat(crd.at("/spec/names/categories/0").asText()).isEqualTo("flywheel");
      assertThat(crd.at("/spec/versions/0/name").asText()).isEqualTo("v1alpha1");
    });
    assertThat(crds).filteredOn(c -> c.at("/spec/names/kind").asText().equals("Site"))
        .singleElement()
        .satisfies(site -> assertThat(site.at("/spec/scope").asText()).isEqualTo("Cluster"));
  }
}
