package dev.flywheel.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Renders the chart with helm-java (release "flywheel" in flywheel-system, no helm binary) into the objects it would install. */
final class ChartRendering {
  static final Path CHART = RepoPaths.root().resolve("helm/flywheel");

  private ChartRendering() {}

  /** helm template of the chart with these values set. */
  static TemplateCommand template() {
    return new Helm(CHART).template().withName("flywheel").withNamespace("flywheel-system");
  }

  static List<JsonNode> render(TemplateCommand command) throws Exception {
    Path file = Files.createTempFile("chart", ".yaml");
    try {
      Files.writeString(file, command.call());
      return ManifestValidator.readAll(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }
}
