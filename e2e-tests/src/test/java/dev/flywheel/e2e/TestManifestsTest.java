package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Flywheel manifest the end-to-end tests apply from {@code src/test/resources} is accepted by the committed CRDs
 * (schema and CEL rules), as examples/ are in the crds module: a scenario fails on what it tests, never on a typo.
 */
class TestManifestsTest {
  private static final ManifestValidator VALIDATOR = ManifestValidator.fromDirectory(RepoPaths.chartCrds());

  static Stream<Path> manifests() throws IOException {
    try (Stream<Path> files = Files.walk(RepoPaths.root().resolve("e2e-tests/src/test/resources"))) {
      return files.filter(file -> file.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("manifests")
  void isAcceptedByTheCrds(Path file) {
    List<JsonNode> documents = ManifestValidator.readAll(file);
    assertThat(documents).as(file.toString()).isNotEmpty();
    for (JsonNode document : documents) {
      assertThat(VALIDATOR.knows(document)).as("%s: a Flywheel kind", file).isTrue();
      assertThat(VALIDATOR.validateCreate(document).errors()).as(file.toString()).isEmpty();
    }
  }
}
