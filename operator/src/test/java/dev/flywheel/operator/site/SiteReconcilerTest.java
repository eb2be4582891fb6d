package dev.flywheel.operator.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flywheel.crds.common.Condition;
import dev.flywheel.crds.site.Site;
import dev.flywheel.operator.common.Conditions;
import dev.flywheel.operator.common.RemoteClusterFixture;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Site probing: node pools by matching nodes, remote clusters by asking their API (a second mock API server here). */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class SiteReconcilerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Inject KubernetesClient client;

  @KubernetesTestServer KubernetesServer server;

  @AfterEach
  void cleanUp() {
    client.resources(Site.class).delete();
    client.nodes().delete();
    client.secrets().inAnyNamespace().delete();
  }

  private void site(String yaml) {
    client.resource(Serialization.unmarshal("apiVersion: mlops.flywheel.dev/v1alpha1\nkind: Site\n" + yaml, Site.class)).create();
  }

  private Condition condition(String site, String type) {
    await().atMost(WAIT).until(() -> {
      Site s = client.resources(Site.class).withName(site).get();
      return s.getStatus() != null && Conditions.find(s.getStatus().getConditions(), type).isPresent();
    });
    return Conditions.find(client.resources(Site.class).withName(site).get().getStatus().getConditions(), type).orElseThrow();
  }

  @Test
  void nodePoolIsReadyOnlyWhenNodesMatchItsSelector() {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("gpu-1").withLabels(Map.of("pool", "ml")).endMetadata().build()).create();
    site("metadata: {name: pool-ml}\nspec: {type: nodePool, nodeSelector: {pool: ml}}");
    site("metadata: {name: pool-empty}\nspec: {type: nodePool, nodeSelector: {pool: nothing-here}}");

    assertThat(condition("pool-ml", "Reachable").getStatus().name()).isEqualTo("True");
    Condition ready = condition("pool-ml", "Ready");
    assertThat(ready.getReason()).isEqualTo("NodesAvailable");
    assertThat(ready.getMessage()).isEqualTo("1 nodes match {pool=ml}");
    Condition empty = condition("pool-empty", "Ready");
    assertThat(empty.getStatus().name()).isEqualTo("False");
    assertThat(empty.getReason()).isEqualTo("NoMatchingNodes");
    assertThat(client.resources(Site.class).withName("pool-ml").get().getStatus().getLastProbeTime()).isNotNull();
  }

  @Test
  void aSiteWithAFieldOfANewerCrdIsStillReconciled() {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("cpu-1").withLabels(Map.of("pool", "next")).endMetadata().build()).create();
    GenericKubernetesResource newer = Serialization.unmarshal("""
        apiVersion: mlops.flywheel.dev/v1alpha1
        kind: Site
        metadata: {name: pool-next}
        spec: {type: nodePool, nodeSelector: {pool: next}, gpuSharing: {mode: timeSliced}}
        """, GenericKubernetesResource.class);
    client.resource(newer).create();

    Condition ready = condition("pool-next", "Ready");

    assertThat(ready.getReason()).as("the unknown field is ignored, not fatal to the watch").isEqualTo("NodesAvailable");
  }

  @Test
  void aKubeconfigSecretTheOperatorMayNotReadIsNamedAsTheReason() {
    server.expect().get().withPath("/api/v1/namespaces/team-a/secrets/kubeconfig")
        .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden").withMessage("secrets is forbidden").build()).always();
    site("metadata: {name: cloud-forbidden}\nspec: {type: remoteCluster, kubeconfigSecretRef: {namespace: team-a, name: kubeconfig}}");
    Condition reachable = condition("cloud-forbidden", "Reachable");
    assertThat(reachable.getStatus().name()).isEqualTo("False");
    assertThat(reachable.getReason()).isEqualTo("SecretNotReadable");
    assertThat(reachable.getMessage()).isEqualTo("cannot read Secret team-a/kubeconfig: HTTP 403 (the operator reads kubeconfig Secrets only in its own namespace)");
  }

  @Test
  void remoteClusterIsReachableWhenItsApiAnswersWithTheKubeconfigFromTheSecret() throws Exception {
    try (RemoteClusterFixture remote = new RemoteClusterFixture()) {
      remote.storeKubeconfig(client, "flywheel-system", "eu-west-kubeconfig");
      site("metadata: {name: cloud-eu-west}\nspec: {type: remoteCluster, kubeconfigSecretRef: {namespace: flywheel-system, name: eu-west-kubeconfig, key: kubeconfig}}");
      site("metadata: {name: cloud-missing}\nspec: {type: remoteCluster, kubeconfigSecretRef: {namespace: flywheel-system, name: nowhere, key: kubeconfig}}");

      Condition reachable = condition("cloud-eu-west", "Reachable");
      assertThat(reachable.getStatus().name()).as(reachable.getMessage()).isEqualTo("True");
      assertThat(reachable.getMessage()).startsWith("the remote API answers");
      assertThat(reachable.getReason()).isEqualTo("APIAnswers");

      Condition missing = condition("cloud-missing", "Reachable");
      assertThat(missing.getStatus().name()).isEqualTo("False");
      assertThat(missing.getReason()).isEqualTo("SecretNotFound");
      assertThat(Serialization.asYaml(client.resources(Site.class).list())).as("the kubeconfig is never copied").doesNotContain("remote-token");
    }
  }
}
