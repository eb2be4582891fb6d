package dev.flywheel.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * kubectl explain is documentation: the kind, spec, status and every field under them, at every depth (list items, map
 * values, embedded Kubernetes types such as resources and tolerations), carry a description; each kind is listed in
 * 'flywheel'.
 */
class DescriptionsTest {
  @ParameterizedTest
  @MethodSource("dev.flywheel.crds.CommittedCrdsTest#kinds")
  void everyFieldHasADescription(Class<? extends CustomResource<?, ?>> kind) {
    JsonNode crd = ManifestValidator.readAll(RepoPaths.chartCrds().resolve(CustomResource.getCRDName(kind) + ".yaml")).get(0);
    assertThat(crd.at("/spec/names/categories").toString()).contains("flywheel");
    assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    JsonNode root = crd.at("/spec/versions/0/schema/openAPIV3Schema");
    assertThat(root.path("properties").has("spec")).as("spec in the schema").isTrue();
    assertThat(root.path("properties").has("status")).as("status in the schema").isTrue();

    List<String> undocumented = new ArrayList<>();
    if (!described(root)) {
      undocumented.add(kind.getSimpleName());
    }
    collectUndocumented(root, kind.getSimpleName(), undocumented);
    assertThat(undocumented)
        .as("fields without a description (Flywheel's: @JsonPropertyDescription; Kubernetes types': "
            + "dev.flywheel.crds.docs.KubernetesFieldDescriptions)")
        .isEmpty();
  }

  /** Walks properties, list items and map values of one schema node, noting each property without a description. */
  private static void collectUndocumented(JsonNode schema, String path, List<String> undocumented) {
    schema.path("properties").fields().forEachRemaining(field -> {
      String fieldPath = path + "." + field.getKey();
      if (!described(field.getValue())) {
        undocumented.add(fieldPath);
      }
      collectUndocumented(field.getValue(), fieldPath, undocumented);
    });
    if (schema.has("items")) {
      collectUndocumented(schema.get("items"), path + "[]", undocumented);
    }
    if (schema.path("additionalProperties").isObject()) {
      collectUndocumented(schema.get("additionalProperties"), path + "{}", undocumented);
    }
  }

  private static boolean described(JsonNode schema) {
    return schema.hasNonNull("description") && !schema.get("description").asText().isBlank();
  }
}
