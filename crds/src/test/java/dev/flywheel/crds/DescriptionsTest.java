package dev.flywheel.crds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** kubectl explain is documentation: every Flywheel field carries a description, and each kind is listed in 'flywheel'. */
class DescriptionsTest {
  /** Fields typed by Kubernetes' own API (ResourceRequirements, Toleration): their inner fields are Kubernetes'. */
  private static final Set<String> KUBERNETES_TYPES = Set.of("resources", "tolerations");

  @ParameterizedTest
  @MethodSource("dev.flywheel.crds.CommittedCrdsTest#kinds")
  void everyFieldHasADescription(Class<? extends CustomResource<?, ?>> kind) {
    JsonNode crd = ManifestValidator.readAll(RepoPaths.chartCrds().resolve(CustomResource.getCRDName(kind) + ".yaml")).get(0);
    assertThat(crd.at("/spec/names/categories").toString()).contains("flywheel");
    assertThat(crd.at("/spec/versions/0/subresources/status").isObject()).isTrue();
    List<String> undocumented = new ArrayList<>();
    JsonNode root = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties");
    for (String part : List.of("spec", "status")) {
      collectUndocumented(root.get(part).path("properties"), part, undocumented);
    }
    assertThat(undocumented).as("fields without a description").isEmpty();
  }

  private static void collectUndocumented(JsonNode properties, String path, List<String> undocumented) {
    properties.fields().forEachRemaining(field -> {
      String fieldPath = path + "." + field.getKey();
      JsonNode schema = field.getValue();
      if (!schema.hasNonNull("description") || schema.get("description").asText().isBlank()) {
        undocumented.add(fieldPath);
      }
      if (KUBERNETES_TYPES.contains(field.getKey())) {
        return;
      }
      collectUndocumented(schema.path("properties"), fieldPath, undocumented);
      collectUndocumented(schema.path("items").path("properties"), fieldPath + "[]", undocumented);
    });
  }
}
