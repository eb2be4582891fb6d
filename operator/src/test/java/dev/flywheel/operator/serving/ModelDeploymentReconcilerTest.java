package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixture.NS;
import static dev.flywheel.operator.serving.ServingFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.RestrictedProfile;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Serving against a Kubernetes API (the fabric8 mock server; the tests play the Deployment controller and kubelet). */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ModelDeploymentReconcilerTest {
  @Inject KubernetesClient client;
  @KubernetesTestServer KubernetesServer server;

  private ServingFixture fixture;

  @BeforeEach
  void setUp() {
    fixture = new ServingFixture(client);
    fixture.sites();
  }

  @AfterEach
  void cleanUp() {
    fixture.cleanUp();
  }

  @Test
  void theModelsProductionVersionIsServedOnASiteThatMayHoldItsData() {
    fixture.validatedVersion(1, "restricted");
    fixture.promote(1);
    fixture.deploy("""
        model: churn
        followStage: Production
        replicas: 3
        server: {maxBatchSize: 16, requestTimeout: 5s}
        """);
    Deployment stable = fixture.awaitChild("churn-stable", "churn-v1", 3);
    var pod = stable.getSpec().getTemplate().getSpec();
    assertThat(RestrictedProfile.violations(pod)).isEmpty();
    assertThat(pod.getNodeSelector()).as("restricted data only on the on-prem pool").containsEntry("pool", "onprem");
    assertThat(pod.getContainers().get(0).getArgs()).containsSubsequence("serve", "--bundle", "/mnt/pvc/models/churn/v1")
        .containsSubsequence("--model-version", "churn-v1").containsSubsequence("--max-batch-size", "16")
        .containsSubsequence("--expected-digest", "sha256:" + "ab".repeat(32));
    assertThat(stable.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("ModelDeployment"));
    Service service = await().atMost(WAIT).until(() -> client.services().inNamespace(NS).withName("churn").get(), s -> s != null);
    assertThat(service.getSpec().getSelector()).containsEntry(Labels.DEPLOYMENT, "churn");
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("churn").get()).as("a PDB when replicas > 1").isNotNull();
    assertThat(fixture.condition("Ready", "False", null)).isTrue();

    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "True", "Serving"));
    ModelDeployment mdep = fixture.deployment();
    assertThat(mdep.getStatus().getCurrentVersion()).isEqualTo("churn-v1");
    assertThat(mdep.getStatus().getReadyReplicas()).isEqualTo(3);
    assertThat(mdep.getStatus().getSelector()).isEqualTo(Labels.DEPLOYMENT + "=churn");
    assertThat(mdep.getStatus().getUrl()).isEqualTo("http://churn.serving.svc:8080/v2/models/churn");
    assertThat(mdep.getStatus().getSites()).containsExactly("onprem");
    assertThat(mdep.getStatus().getObservedGeneration()).isEqualTo(mdep.getMetadata().getGeneration());
  }

  @Test
  void aPinnedVersionThatIsNotValidatedIsRefusedWithItsReason() {
    fixture.deploy("""
        model: churn
        version: churn-v9
        """);
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "False", "VersionNotFound"));
    assertThat(fixture.child("churn-stable")).isNull();

    client.resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: ModelVersion
        metadata: {name: churn-v9, namespace: serving}
        spec:
          model: churn
          version: 9
          artifact: {uri: "https://models.example/churn/v9", digest: "sha256:%s"}
        """.formatted("cd".repeat(32)), dev.flywheel.crds.modelversion.ModelVersion.class)).create();
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "False", "VersionNotValidated"));
    assertThat(Conditions.find(fixture.deployment().getStatus().getConditions(), "Ready").get().getMessage()).contains("churn-v9");
    assertThat(fixture.child("churn-stable")).as("nothing unvalidated is served").isNull();
  }

  @Test
  void followStageWithoutAProductionVersionWaitsWithTheReason() {
    fixture.validatedVersion(1, "internal");
    fixture.deploy("""
        model: churn
        followStage: Production
        """);
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "False", "NoVersionInStage"));
    fixture.promote(1);
    fixture.awaitChild("churn-stable", "churn-v1", 1);
  }

  @Test
  void restrictedDataIsNeverServedWhereNoSiteMayHoldIt() {
    fixture.validatedVersion(1, "restricted");
    fixture.deploy("""
        model: churn
        version: churn-v1
        placement: {sites: [cloud]}
        """);
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "False", "NoEligibleSite"));
    assertThat(Conditions.find(fixture.deployment().getStatus().getConditions(), "Ready").get().getMessage()).contains("restricted");
    assertThat(fixture.child("churn-stable")).isNull();
  }

  @Test
  void scalingChangesTheServingReplicasAndADriftedChildIsPutBack() {
    fixture.validatedVersion(1, "internal");
    fixture.deploy("""
        model: churn
        version: churn-v1
        replicas: 2
        """);
    fixture.awaitChild("churn-stable", "churn-v1", 2);
    // kubectl scale and an HPA write spec.replicas through the scale subresource.
    client.resources(ModelDeployment.class).inNamespace(NS).withName("churn").edit(m -> {
      m.getSpec().setReplicas(5);
      return m;
    });
    fixture.awaitChild("churn-stable", "churn-v1", 5);
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "True", null) && fixture.deployment().getStatus().getReadyReplicas() == 5);

    client.apps().deployments().inNamespace(NS).withName("churn-stable").edit(d -> {
      d.getSpec().setReplicas(1);
      d.getSpec().getTemplate().getSpec().getContainers().get(0).setArgs(List.of("serve", "--bundle", "/somewhere/else"));
      return d;
    });
    Deployment back = fixture.awaitChild("churn-stable", "churn-v1", 5);
    assertThat(back.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains("/mnt/pvc/models/churn/v1");
    client.resources(ModelDeployment.class).inNamespace(NS).withName("churn").edit(m -> {
      m.getSpec().setReplicas(1);
      return m;
    });
    await().atMost(WAIT).until(() -> client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("churn").get() == null);
  }

  @Test
  void aResyncOfAnUnchangedDeploymentMakesNoApiCall() throws Exception {
    fixture.validatedVersion(1, "internal");
    fixture.deploy("""
        model: churn
        version: churn-v1
        """);
    fixture.awaitChild("churn-stable", "churn-v1", 1);
    fixture.podsReady("churn-stable");
    await().atMost(WAIT).until(() -> fixture.condition("Ready", "True", null));
    Thread.sleep(1500); // let the last writes settle (events, status)
    int before = server.getKubernetesMockServer().getRequestCount();
    Thread.sleep(3000); // six resyncs of every ModelDeployment at the test's 500 ms resync interval
    assertThat(server.getKubernetesMockServer().getRequestCount() - before).as("API requests during resyncs of unchanged objects").isZero();
  }
}
