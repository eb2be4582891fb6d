package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.operator.common.RestrictedProfile;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart users install: it lints strictly, installs every Flywheel kind, runs the operator in pods that
 * meet the "restricted" Pod Security Standard, and grants exactly the rights the operator's code uses.
 */
class HelmChartTest {
  private static final Path CHART = RepoPaths.root().resolve("helm/flywheel");

  /** Every right the reconcilers use (group/resource/verb); operator/README.md says which code needs which. */
  private static final Set<String> NAMESPACED_RIGHTS = rights(
      "mlops.flywheel.dev/trainingjobs: get list watch create patch update",
      "mlops.flywheel.dev/modelversions: get list watch create patch update",
      "mlops.flywheel.dev/modeldeployments: get list watch",
      "mlops.flywheel.dev/trainingjobs/status: get patch update",
      "mlops.flywheel.dev/modelversions/status: get patch update",
      "mlops.flywheel.dev/modeldeployments/status: get patch update",
      "mlops.flywheel.dev/trainingjobs/finalizers: update",
      "mlops.flywheel.dev/modelversions/finalizers: update",
      "mlops.flywheel.dev/modeldeployments/finalizers: update",
      "batch/jobs: get list watch create delete",
      "/pods: get list",
      "apps/deployments: get list watch create update delete",
      "/services: get list watch create update delete",
      "policy/poddisruptionbudgets: get list watch create update delete",
      "monitoring.coreos.com/podmonitors: get create update delete",
      "gateway.networking.k8s.io/httproutes: get create update delete",
      "/secrets: get",
      "/events: get create update");
  private static final Set<String> CLUSTER_RIGHTS = rights(
      "mlops.flywheel.dev/sites: get list watch patch update",
      "mlops.flywheel.dev/sites/status: get patch update",
      "/nodes: list watch",
      "apiextensions.k8s.io/customresourcedefinitions: get");
  private static final Set<String> RELEASE_NAMESPACE_RIGHTS = rights(
      "coordination.k8s.io/leases: get create update",
      "/secrets: get");

  private static Set<String> rights(String... lines) {
    Set<String> rights = new TreeSet<>();
    for (String line : lines) {
      String[] parts = line.split(": ");
      for (String verb : parts[1].split(" ")) {
        rights.add(parts[0] + " " + verb);
      }
    }
    return rights;
  }

  private static List<JsonNode> render(TemplateCommand command) throws Exception {
    String yaml = command.withName("flywheel").withNamespace("flywheel-system").call();
    Path file = Files.createTempFile("chart", ".yaml");
    Files.writeString(file, yaml);
    return ManifestValidator.readAll(file);
  }

  private static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  private static Set<String> granted(JsonNode role) {
    Set<String> rights = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      for (JsonNode group : rule.path("apiGroups")) {
        for (JsonNode resource : rule.path("resources")) {
          for (JsonNode verb : rule.path("verbs")) {
            rights.add((group.asText().isEmpty() ? "" : group.asText()) + "/" + resource.asText() + " " + verb.asText());
          }
        }
      }
    }
    return rights;
  }

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
    });
  }

  @Test
  void defaultInstallRunsARestrictedOperatorWithExactlyTheRightsItUses() throws Exception {
    List<JsonNode> objects = render(new Helm(CHART).template());
    assertThat(objects).extracting(o -> o.path("kind").asText())
        .contains("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service")
        .doesNotContain("ServiceMonitor");

    Deployment deployment = Serialization.unmarshal(ofKind(objects, "Deployment").get(0).toString(), Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(RestrictedProfile.violations(deployment.getSpec().getTemplate().getSpec())).isEmpty();
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue())
        .isEqualTo("QUARKUS_OPERATOR_SDK_NAMESPACES=JOSDK_ALL_NAMESPACES"));

    Set<String> cluster = granted(ofKind(objects, "ClusterRole").get(0));
    Set<String> expected = new TreeSet<>(CLUSTER_RIGHTS);
    expected.addAll(NAMESPACED_RIGHTS);
    assertThat(cluster).isEqualTo(expected);
    assertThat(granted(ofKind(objects, "Role").get(0))).isEqualTo(RELEASE_NAMESPACE_RIGHTS);
    assertThat(ofKind(objects, "Role").get(0).at("/metadata/namespace").asText()).isEqualTo("flywheel-system");
    assertNoWildcards(objects);
  }

  @Test
  void watchedNamespacesGetRolesAndTheClusterRoleShrinks() throws Exception {
    List<JsonNode> objects = render(new Helm(CHART).template()
        .set("replicaCount", 2).set("watchNamespaces[0]", "ml").set("watchNamespaces[1]", "fraud").set("modelImage", "registry.local/flywheel-model:9")
        .set("metrics.serviceMonitor.enabled", true));
    Deployment deployment = Serialization.unmarshal(ofKind(objects, "Deployment").get(0).toString(), Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).as("safe with leader election").isEqualTo(2);
    assertThat(RestrictedProfile.violations(deployment.getSpec().getTemplate().getSpec())).isEmpty();
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("QUARKUS_OPERATOR_SDK_NAMESPACES=ml,fraud"))
        .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("FLYWHEEL_IMAGE=registry.local/flywheel-model:9"));
    assertThat(granted(ofKind(objects, "ClusterRole").get(0))).isEqualTo(CLUSTER_RIGHTS);
    List<JsonNode> namespaceRoles = ofKind(objects, "Role").stream()
        .filter(r -> !r.at("/metadata/namespace").asText().equals("flywheel-system")).toList();
    assertThat(namespaceRoles).extracting(r -> r.at("/metadata/namespace").asText()).containsExactlyInAnyOrder("ml", "fraud");
    assertThat(namespaceRoles).allSatisfy(r -> assertThat(granted(r)).isEqualTo(NAMESPACED_RIGHTS));
    assertThat(ofKind(objects, "ServiceMonitor")).singleElement()
        .satisfies(m -> assertThat(m.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics"));
    assertNoWildcards(objects);
  }

  @Test
  void rightsCoverWhatTheOperatorSdkGeneratesForEachReconciler() throws Exception {
    Path generated = RepoPaths.root().resolve("operator/target/kubernetes/kubernetes.yml");
    assertThat(generated).as("built by the operator module before these tests").exists();
    Set<String> chart = new TreeSet<>(NAMESPACED_RIGHTS);
    chart.addAll(CLUSTER_RIGHTS);
    List<String> resources = new ArrayList<>();
    for (JsonNode role : ofKind(ManifestValidator.readAll(generated), "ClusterRole")) {
      for (JsonNode rule : role.path("rules")) {
        for (JsonNode resource : rule.path("resources")) {
          String name = rule.path("apiGroups").get(0).asText() + "/" + resource.asText();
          // QOSDK grants /finalizers on every primary; only owners of Jobs (blockOwnerDeletion) need it, and no Job is owned by a Site.
          if (!name.equals("mlops.flywheel.dev/sites/finalizers")) {
            resources.add(name);
          }
        }
      }
    }
    assertThat(resources).as("QOSDK's reconcilers").contains("mlops.flywheel.dev/trainingjobs", "mlops.flywheel.dev/sites");
    for (String resource : resources) {
      List<String> verbs = resource.endsWith("/status") ? List.of("get", "patch")
          : resource.endsWith("/finalizers") ? List.of("update") : List.of("get", "list", "watch");
      for (String verb : verbs) {
        assertThat(chart).as("the chart lets the operator %s %s", verb, resource).contains(resource + " " + verb);
      }
    }
  }

  @Test
  void valuesThatBreakTheSchemaAreRefused() {
    assertThatThrownBy(() -> new Helm(CHART).template().withName("flywheel").set("replicaCount", -1).call())
        .hasMessageContaining("replicaCount");
    assertThatThrownBy(() -> new Helm(CHART).template().withName("flywheel").set("placementRetry", "soon").call())
        .hasMessageContaining("placementRetry");
    assertThatThrownBy(() -> new Helm(CHART).template().withName("flywheel").set("replicas", 3).call())
        .hasMessageContaining("replicas");
  }

  private static void assertNoWildcards(List<JsonNode> objects) {
    for (JsonNode object : objects) {
      if (object.path("kind").asText().endsWith("Role")) {
        assertThat(object.path("rules").toString()).as("%s has no wildcards", object.at("/metadata/name").asText()).doesNotContain("\"*\"");
      }
    }
  }
}
