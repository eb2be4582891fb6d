package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixtures.mdep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.GatewayReference;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The HTTPRoute that splits a ModelDeployment's traffic exactly between its tracks. */
class HttpRouteBuilderTest {
  final ModelDeployment mdep = mdep("model: churn\nversion: churn-v3\n");

  static GatewayReference gateway(String name) {
    GatewayReference gateway = new GatewayReference();
    gateway.setName(name);
    return gateway;
  }

  /** The backends as "service=weight". */
  static List<String> backends(GenericKubernetesResource route) {
    List<Map<String, Object>> rules = route.get("spec", "rules");
    assertThat(rules).hasSize(1);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> refs = (List<Map<String, Object>>) rules.get(0).get("backendRefs");
    refs.forEach(r -> assertThat(r.get("port")).isEqualTo(8080));
    return refs.stream().map(r -> r.get("name") + "=" + r.get("weight")).collect(Collectors.toList());
  }

  @Test
  void everyStepOfA10_50_100CanarySendsExactlyItsWeightToTheCanary() {
    GatewayReference gateway = gateway("public");
    assertThat(backends(HttpRouteBuilder.build(mdep, gateway, 0, false))).as("before the rollout").containsExactly("churn-stable=100");
    assertThat(backends(HttpRouteBuilder.build(mdep, gateway, 10, true))).containsExactly("churn-stable=90", "churn-canary=10");
    assertThat(backends(HttpRouteBuilder.build(mdep, gateway, 50, true))).containsExactly("churn-stable=50", "churn-canary=50");
    assertThat(backends(HttpRouteBuilder.build(mdep, gateway, 100, true))).as("stable stays listed, at weight 0")
        .containsExactly("churn-stable=0", "churn-canary=100");
    assertThat(backends(HttpRouteBuilder.build(mdep, gateway, 100, false))).as("promoted: the new version is stable")
        .containsExactly("churn-stable=100");
  }

  @Test
  void aRolledBackOrNotYetStartedCanaryGetsNoTraffic() {
    assertThat(backends(HttpRouteBuilder.build(mdep, gateway("public"), 0, true))).containsExactly("churn-stable=100", "churn-canary=0");
    assertThat(backends(HttpRouteBuilder.build(mdep, gateway("public"), 30, false))).containsExactly("churn-stable=100");
  }

  @Test
  void attachesToTheNamedGatewayListenerAndHostnamesOnlyWhenGiven() {
    GenericKubernetesResource plain = HttpRouteBuilder.build(mdep, gateway("public"), 0, false);
    assertThat(plain.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
    assertThat(plain.getKind()).isEqualTo("HTTPRoute");
    assertThat(plain.getMetadata().getName()).isEqualTo("churn");
    assertThat(plain.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(plain.getMetadata().getLabels()).containsEntry("mlops.flywheel.dev/deployment", "churn");
    assertThat(plain.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getController()).isTrue());
    assertThat((List<?>) plain.get("spec", "parentRefs")).isEqualTo(List.of(Map.of("name", "public")));
    assertThat((Object) plain.get("spec", "hostnames")).isNull();

    GatewayReference full = gateway("shared");
    full.setNamespace("infra");
    full.setSectionName("https");
    full.setHostnames(List.of("churn.example.com"));
    GenericKubernetesResource route = HttpRouteBuilder.build(mdep, full, 10, true);
    assertThat((List<?>) route.get("spec", "parentRefs")).isEqualTo(List.of(Map.of("name", "shared", "namespace", "infra", "sectionName", "https")));
    assertThat((List<?>) route.get("spec", "hostnames")).isEqualTo(List.of("churn.example.com"));
  }
}
