package dev.flywheel.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Server-side printing with the ModelDeployment CRD's printer columns. */
class TableRendererTest {
  @Test
  void rowsFollowThePrinterColumnsOfTheCrd() throws Exception {
    JsonNode crd = ManifestValidator.readAll(RepoPaths.chartCrds().resolve("modeldeployments.mlops.flywheel.dev.yaml")).get(0);
    ResourceType type = ResourceTypes.fromDefinition(crd).get(0);
    String created = Instant.now().minusSeconds(300).toString();
    JsonNode mdep = new ObjectMapper().readTree(("{'metadata':{'name':'churn','creationTimestamp':'" + created + "'},"
        + "'spec':{'model':'churn','replicas':3},'status':{'currentVersion':'churn-v2','conditions':"
        + "[{'type':'Progressing','status':'False'},{'type':'Ready','status':'True'}]}}").replace('\'', '"'));

    JsonNode table = TableRenderer.render(type, mdep, false);

    assertThat(table.path("kind").asText()).isEqualTo("Table");
    assertThat(table.path("columnDefinitions").findValuesAsText("name"))
        .startsWith("Name", "Model", "Current", "Canary", "Weight", "Step", "Ready", "Replicas");
    JsonNode cells = table.at("/rows/0/cells");
    assertThat(cells.get(0).asText()).isEqualTo("churn");
    assertThat(cells.get(1).asText()).isEqualTo("churn");
    assertThat(cells.get(2).asText()).isEqualTo("churn-v2");
    assertThat(cells.get(3).isNull()).isTrue();
    assertThat(cells.get(6).asText()).isEqualTo("True");
    assertThat(cells.get(7).asInt()).isEqualTo(3);
    assertThat(cells.get(cells.size() - 1).asText()).isEqualTo("5m");
    assertThat(table.at("/rows/0/object/kind").asText()).isEqualTo("PartialObjectMetadata");
  }

  @Test
  void agesReadAsKubectlPrintsThem() {
    assertThat(TableRenderer.age(Instant.now().minusSeconds(42).toString())).isEqualTo("42s");
    assertThat(TableRenderer.age(Instant.now().minusSeconds(3 * 3600).toString())).isEqualTo("3h");
    assertThat(TableRenderer.age(Instant.now().minusSeconds(50 * 3600).toString())).isEqualTo("2d2h");
  }
}
