package dev.flywheel.crds.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.v1.SchemaCustomizer;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import lombok.Data;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator, with FieldDescriptions, describes embedded Kubernetes types and refuses one it cannot describe. */
class FieldDescriptionsTest {
  @TempDir
  Path output;

  @Test
  void describesTheKindSpecStatusAndEmbeddedKubernetesFieldsAndKeepsWrittenDescriptions() throws IOException {
    new CRDGenerator().inOutputDir(output.toFile()).forCRDVersions("v1").customResourceClasses(Tolerant.class).generate();
    JsonNode schema = new YAMLMapper()
        .readTree(new File(output.toFile(), CustomResource.getCRDName(Tolerant.class) + "-v1.yml"))
        .at("/spec/versions/0/schema/openAPIV3Schema");

    assertThat(schema.path("description").asText()).isEqualTo("A kind for this test.");
    assertThat(schema.at("/properties/spec/description").asText()).isEqualTo("What the test asks for.");
    assertThat(schema.at("/properties/status/description").asText()).isEqualTo("What the test saw.");
    assertThat(schema.at("/properties/spec/properties/tolerations/description").asText()).isEqualTo("Written by hand.");
    JsonNode toleration = schema.at("/properties/spec/properties/tolerations/items/properties");
    assertThat(toleration.path("effect").path("description").asText())
        .isEqualTo(KubernetesFieldDescriptions.of(Toleration.class, "effect").orElseThrow());
    toleration.fields().forEachRemaining(field ->
        assertThat(field.getValue().path("description").asText()).as(field.getKey()).isNotBlank());
    JsonNode keyInMap = schema.at("/properties/spec/properties/byName/additionalProperties/items/properties/key");
    assertThat(keyInMap.path("description").asText()).as("toleration key inside a map of lists").isNotBlank();
  }

  @Test
  void refusesAnEmbeddedKubernetesTypeWhoseFieldsItCannotDescribe() {
    assertThatThrownBy(() ->
        new CRDGenerator().inOutputDir(output.toFile()).forCRDVersions("v1").customResourceClasses(Pinned.class).generate())
        .hasStackTraceContaining("Pinned.spec.affinity.nodeAffinity has no description")
        .hasStackTraceContaining("io.fabric8.kubernetes.api.model.Affinity");
  }

  @Group("test.flywheel.dev")
  @Version("v1")
  @JsonClassDescription("A kind for this test.")
  @SchemaCustomizer(value = FieldDescriptions.class, input = "dev.flywheel.crds.docs.FieldDescriptionsTest$Tolerant")
  public static class Tolerant extends CustomResource<TolerantSpec, TolerantStatus> implements Namespaced {}

  @Data
  @JsonClassDescription("What the test asks for.")
  public static class TolerantSpec {
    @JsonPropertyDescription("Written by hand.")
    private List<Toleration> tolerations;

    @JsonPropertyDescription("Tolerations by name.")
    private Map<String, List<Toleration>> byName;
  }

  @Data
  @JsonClassDescription("What the test saw.")
  public static class TolerantStatus {
    @JsonPropertyDescription("How many pods tolerated.")
    private Integer tolerated;
  }

  @Group("test.flywheel.dev")
  @Version("v1")
  @SchemaCustomizer(value = FieldDescriptions.class, input = "dev.flywheel.crds.docs.FieldDescriptionsTest$Pinned")
  public static class Pinned extends CustomResource<PinnedSpec, Void> implements Namespaced {}

  @Data
  public static class PinnedSpec {
    @JsonPropertyDescription("Affinity, which KubernetesFieldDescriptions does not describe.")
    private Affinity affinity;
  }
}
