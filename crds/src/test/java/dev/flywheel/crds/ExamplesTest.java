package dev.flywheel.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest under examples/ is accepted by the committed CRDs and reads into the Java types unchanged. */
class ExamplesTest {
  private static final ManifestValidator VALIDATOR = ManifestValidator.fromDirectory(RepoPaths.chartCrds());

  static Stream<Path> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.walk(RepoPaths.examples())) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("exampleFiles")
  void exampleIsAcceptedAndReadsIntoTheJavaTypes(Path file) {
    List<JsonNode> documents = ManifestValidator.readAll(file);
    assertThat(documents).isNotEmpty();
    for (JsonNode document : documents) {
      assertThat(VALIDATOR.knows(document)).as("%s: only Flywheel kinds in examples", file).isTrue();
      ManifestValidator.Result result = VALIDATOR.validateCreate(document);
      assertThat(result.errors()).as(file.toString()).isEmpty();
      HasMetadata typed = Serialization.unmarshal(result.defaulted().toString());
      JsonNode roundTripped = Serialization.jsonMapper().valueToTree(typed);
      assertThat(roundTripped)
          .as("%s survives a round trip through the Java types", file)
          .isEqualTo(result.defaulted());
    }
  }

  @Test
  void examplesShowEveryKind() throws IOException {
    List<String> kinds = exampleFiles()
        .flatMap(f -> ManifestValidator.readAll(f).stream())
        .map(d -> d.path("kind").asText())
        .distinct()
        .sorted()
        .toList();
    assertThat(kinds).containsExactly("ModelDeployment", "ModelVersion", "Site", "TrainingJob");
  }
}
