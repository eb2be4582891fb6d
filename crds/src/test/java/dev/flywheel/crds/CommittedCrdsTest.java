package dev.flywheel.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.validation.RepoPaths;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs that users install (helm/flywheel/crds) must be exactly what the build generates from the Java types.
 * The one change made to the generator's output: printer columns keep the order the Java type declares them in.
 * To refresh the committed files after changing a type: mvn -pl crds verify -Dflywheel.crds.update=true
 */
class CommittedCrdsTest {
  static final List<Class<? extends CustomResource<?, ?>>> KINDS =
      List.of(TrainingJob.class, ModelVersion.class, ModelDeployment.class, Site.class);
  private static final String UPDATE_HINT = "run: mvn -pl crds verify -Dflywheel.crds.update=true";
  private static final String HEADER = "# Generated from the Java types in crds/ by the fabric8 CRD generator. Do not edit.\n# " + UPDATE_HINT + "\n";
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .build();

  static Stream<Class<? extends CustomResource<?, ?>>> kinds() {
    return KINDS.stream();
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void committedCrdIsWhatTheBuildGenerates(Class<? extends CustomResource<?, ?>> kind) throws IOException {
    String crdName = CustomResource.getCRDName(kind);
    Path generated = Path.of("target/classes/META-INF/fabric8", crdName + "-v1.yml");
    assertThat(generated).as("the crd-generator-maven-plugin output").exists();
    String expected = HEADER + YAML.writeValueAsString(withDeclaredColumnOrder(YAML.readTree(generated.toFile()), kind));

    Path committed = RepoPaths.chartCrds().resolve(crdName + ".yaml");
    if (Boolean.getBoolean("flywheel.crds.update")) {
      Files.createDirectories(committed.getParent());
      Files.writeString(committed, expected);
    }
    assertThat(committed).as("committed CRD; " + UPDATE_HINT).exists();
    assertThat(Files.readString(committed))
        .as("%s differs from what the Java types generate; %s", committed, UPDATE_HINT)
        .isEqualTo(expected);
  }

  @Test
  void chartHoldsNoCrdThatTheTypesDoNotGenerate() throws IOException {
    List<String> expected = KINDS.stream().map(k -> CustomResource.getCRDName(k) + ".yaml").sorted().toList();
    try (Stream<Path> files = Files.list(RepoPaths.chartCrds())) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList()).isEqualTo(expected);
    }
  }

  private static JsonNode withDeclaredColumnOrder(JsonNode crd, Class<?> kind) {
    List<String> declared = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
    for (JsonNode version : crd.at("/spec/versions")) {
      JsonNode columns = version.get("additionalPrinterColumns");
      if (columns == null) {
        continue;
      }
      List<JsonNode> sorted = new ArrayList<>();
      columns.forEach(sorted::add);
      sorted.sort(Comparator.comparingInt(c -> declared.indexOf(c.get("name").asText())));
      ArrayNode reordered = ((ObjectNode) version).putArray("additionalPrinterColumns");
      sorted.forEach(reordered::add);
    }
    return crd;
  }
}
