package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixture.NS;
import static dev.flywheel.operator.serving.ServingFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.operator.common.SteppedClock;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RollingUpdate, exact canary weights through an owned HTTPRoute, PodMonitors, owner references and repeated Events. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class RolloutAndTrafficTest {
  @Inject KubernetesClient client;
  @Inject SteppedClock clock;
  @Inject FakeMetricsSource metrics;

  private ServingFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ServingFixture(client);
    fixture.sites();
    metrics.reset();
  }

  @AfterEach
  void cleanUp() {
    fixture.cleanUp();
    client.apiextensions().v1().customResourceDefinitions().withName("podmonitors.monitoring.coreos.com").delete();
    clock.advance(Duration.ofMinutes(6)); // the operator's answer about the CRD expires: later tests see no PodMonitor CRD
  }

  @Test
  void aRollingUpdateMovesTheStableDeploymentAndSwitchesWhenItIsRolledOut() {
    fixture.validatedVersion(1, "internal");
    fixture.promote(1);
    fixture.deploy("""
        model: churn
        followStage: Production
        replicas: 2
        """);
    Deployment first = fixture.awaitChild("churn-stable", "churn-v1", 2);
    assertThat(first.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).as("no capacity dip").isZero();
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "True", null));

    fixture.validatedVersion(2, "internal");
    fixture.promote(2);
    fixture.awaitChild("churn-stable", "churn-v2", 2);
    await().atMost(WAIT).until(() -> fixture.condition("Progressing", "True", "RollingUpdate"));
    assertThat(fixture.deployment().getStatus().getCurrentVersion()).as("until the new pods are ready").isEqualTo("churn-v1");
    assertThat(fixture.child("churn-canary")).isNull();
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> "churn-v2".equals(fixture.deployment().getStatus().getCurrentVersion()) && fixture.condition("Ready", "True", null));
  }

  @Test
  void aGatewayGivesTheCanaryExactlyItsStepWeight() {
    fixture.validatedVersion(1, "internal");
    fixture.promote(1);
    fixture.deploy("""
        model: churn
        followStage: Production
        replicas: 4
        rollout:
          strategy: Canary
          steps: [{weight: 10, pause: 1h}, {weight: 100}]
          gatewayRef: {name: inference, namespace: gateways, sectionName: http}
        """);
    fixture.awaitChild("churn-stable", "churn-v1", 4);
    fixture.podsReady("churn-stable");
    assertThat(route().toString()).contains("churn-stable");
    fixture.validatedVersion(2, "internal");
    fixture.promote(2);
    fixture.awaitChild("churn-canary", "churn-v2", 1);
    fixture.awaitChild("churn-stable", "churn-v1", 4);
    await().atMost(WAIT).until(() -> weights().equals(Map.of("churn-stable", 100, "churn-canary", 0)));
    fixture.podsReady("churn-canary");
    await("the step's weight once the canary's pods are ready").atMost(WAIT)
        .until(() -> weights().equals(Map.of("churn-stable", 90, "churn-canary", 10)));
    assertThat(client.services().inNamespace(NS).withName("churn-canary").get().getSpec().getSelector())
        .containsEntry("mlops.flywheel.dev/track", "canary");
    await().atMost(WAIT).until(() -> fixture.deployment().getStatus().getCanaryWeight() == 10);
  }

  @Test
  void aPodMonitorIsCreatedWhenThePrometheusOperatorIsInstalled() {
    fixture.validatedVersion(1, "internal");
    fixture.deploy("""
        model: churn
        version: churn-v1
        """);
    Deployment annotated = fixture.awaitChild("churn-stable", "churn-v1", 1);
    assertThat(annotated.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true");
    client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName("podmonitors.monitoring.coreos.com").endMetadata()
        .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
          .withNewNames().withKind("PodMonitor").withPlural("podmonitors").endNames()
          .addNewVersion().withName("v1").withServed(true).withStorage(true).endVersion()
        .endSpec().build()).create();
    clock.advance(Duration.ofMinutes(6)); // the operator asks whether the CRD is installed every 5 minutes
    await().atMost(WAIT).until(() -> client.genericKubernetesResources("monitoring.coreos.com/v1", "PodMonitor")
        .inNamespace(NS).withName("churn").get() != null);
    await().atMost(WAIT).until(() -> "false".equals(fixture.child("churn-stable").getSpec().getTemplate().getMetadata().getAnnotations()
        .get("prometheus.io/scrape")));
  }

  @Test
  void childrenAreOwnedAndARepeatedEventRaisesItsCount() {
    fixture.deploy("""
        model: churn
        version: churn-v7
        """);
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "False", "VersionNotFound"));
    fixture.validatedVersion(7, "internal");
    Deployment stable = fixture.awaitChild("churn-stable", "churn-v7", 1);
    assertThat(stable.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getUid()).isEqualTo(fixture.deployment().getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    });
    assertThat(client.services().inNamespace(NS).withName("churn").get().getMetadata().getOwnerReferences()).hasSize(1);
    client.resources(dev.flywheel.crds.modelversion.ModelVersion.class).inNamespace(NS).withName("churn-v7").delete();
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "False", "VersionNotFound"));
    await().atMost(WAIT).until(() -> client.v1().events().inNamespace(NS).list().getItems().stream()
        .anyMatch(e -> "VersionNotFound".equals(e.getReason()) && e.getCount() >= 2));
    assertThat(client.v1().events().inNamespace(NS).list().getItems().stream().filter(e -> "VersionNotFound".equals(e.getReason())
        && e.getInvolvedObject().getKind().equals("ModelDeployment"))).as("one Event object per object and reason").hasSize(1);
    assertThat(fixture.child("churn-stable")).as("what serves keeps serving while the version is gone").isNotNull();
  }

  private GenericKubernetesResource route() {
    return await().atMost(WAIT).until(() -> client.genericKubernetesResources("gateway.networking.k8s.io/v1", "HTTPRoute")
        .inNamespace(NS).withName("churn").get(), r -> r != null);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Integer> weights() {
    Map<String, Object> spec = (Map<String, Object>) route().getAdditionalProperties().get("spec");
    List<Map<String, Object>> rules = (List<Map<String, Object>>) spec.get("rules");
    List<Map<String, Object>> backends = (List<Map<String, Object>>) rules.get(0).get("backendRefs");
    Map<String, Integer> weights = new java.util.HashMap<>();
    backends.forEach(b -> weights.put((String) b.get("name"), ((Number) b.get("weight")).intValue()));
    return weights;
  }
}
