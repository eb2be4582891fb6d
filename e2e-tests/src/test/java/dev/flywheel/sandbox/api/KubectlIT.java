package dev.flywheel.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.e2e.cluster.Kubectl;
import dev.flywheel.e2e.cluster.Kubectl.Run;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl (1.32, /usr/bin/kubectl) against the in-process API, with the kubeconfig it writes. */
class KubectlIT {
  private static final String MODEL_DEPLOYMENTS = "mlops.flywheel.dev/v1alpha1";

  @TempDir
  static Path work;
  private static LocalApiServer api;
  private static KubernetesClient client;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() {
    assumeTrue(Kubectl.installed(), "KubectlIT needs kubectl at " + Kubectl.BINARY + "; skipped");
    api = LocalApiServer.start(RepoPaths.chartCrds());
    client = api.client();
    Path kubeconfig = work.resolve("kubeconfig");
    api.writeKubeconfig(kubeconfig);
    kubectl = new Kubectl(kubeconfig, work);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  private static Process startKubectl(String... args) throws IOException {
    return kubectl.start(args);
  }

  private static Run kubectl(String... args) throws Exception {
    return kubectl.run(args);
  }

  private static GenericKubernetesResource modelDeployment(String namespace, String name) {
    return client.genericKubernetesResources(MODEL_DEPLOYMENTS, "ModelDeployment").inNamespace(namespace).withName(name).get();
  }

  private static void createModelDeployment(String name) {
    GenericKubernetesResource mdep = new GenericKubernetesResource();
    mdep.setApiVersion(MODEL_DEPLOYMENTS);
    mdep.setKind("ModelDeployment");
    mdep.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace("default").build());
    mdep.setAdditionalProperty("spec", Map.of("model", name, "followStage", "Production"));
    client.resource(mdep).create();
  }

  @Test
  void applyStoresEveryExampleAndGetFlywheelPrintsTheirColumns() throws Exception {
    List<JsonNode> manifests = new ArrayList<>();
    try (Stream<Path> folders = Files.list(RepoPaths.examples())) {
      for (Path folder : folders.filter(Files::isDirectory).sorted().toList()) {
        Run apply = kubectl("apply", "-f", folder.toString());
        assertThat(apply.exitCode()).as(apply.all()).isZero();
        try (Stream<Path> files = Files.list(folder)) {
          files.filter(f -> f.toString().endsWith(".yaml")).forEach(f -> manifests.addAll(ManifestValidator.readAll(f)));
        }
      }
    }
    assertThat(manifests).isNotEmpty();
    for (JsonNode manifest : manifests) {
      var kind = client.genericKubernetesResources(manifest.path("apiVersion").asText(), manifest.path("kind").asText());
      String namespace = manifest.at("/metadata/namespace").asText("");
      String name = manifest.at("/metadata/name").asText();
      GenericKubernetesResource stored = namespace.isEmpty() ? kind.withName(name).get()
          : kind.inNamespace(namespace).withName(name).get();
      assertThat(stored).as(manifest.path("kind").asText() + " " + manifest.at("/metadata/name").asText()).isNotNull();
    }

    Run again = kubectl("apply", "-f", "examples/churn-serving/");
    assertThat(again.out()).contains("modeldeployment.mlops.flywheel.dev/churn unchanged");

    Run get = kubectl("get", "flywheel", "-A");
    assertThat(get.exitCode()).as(get.all()).isZero();
    assertThat(get.out()).contains("MODEL", "CURRENT", "REPLICAS", "modeldeployment.mlops.flywheel.dev/churn",
        "site.mlops.flywheel.dev/onprem-dc1", "trainingjob.mlops.flywheel.dev/churn-2026-11-23");
    Run shortName = kubectl("get", "mdep", "churn", "-n", "ml-churn");
    assertThat(shortName.out()).containsPattern("churn\\s+churn\\s+.*3");
  }

  @Test
  void explainPrintsTheFieldDescriptionsOfTheCrd() throws Exception {
    Run explain = kubectl("explain", "modeldeployment.spec.rollout");

    assertThat(explain.exitCode()).as(explain.all()).isZero();
    assertThat(explain.out()).contains("KIND:       ModelDeployment", "FIELD: rollout", "autoRollback",
        "Return all traffic to the previous version when an analysis check fails.");
  }

  @Test
  void waitReturnsOnceTheConditionIsSet() throws Exception {
    createModelDeployment("waited");
    Process wait = startKubectl("wait", "--for=condition=Ready", "modeldeployment/waited", "-n", "default", "--timeout=30s");
    Thread.sleep(1500);
    assertThat(wait.isAlive()).isTrue();

    GenericKubernetesResource mdep = modelDeployment("default", "waited");
    mdep.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True",
        "reason", "Serving", "message", "serving", "lastTransitionTime", "2026-12-02T08:00:00Z"))));
    client.resource(mdep).updateStatus();

    assertThat(wait.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(wait.exitValue()).isZero();
  }

  @Test
  void scaleSetsTheReplicasThroughTheScaleSubresource() throws Exception {
    createModelDeployment("scaled");

    Run scale = kubectl("scale", "mdep", "scaled", "--replicas=3");

    assertThat(scale.exitCode()).as(scale.all()).isZero();
    assertThat(modelDeployment("default", "scaled").get("spec", "replicas").toString()).isEqualTo("3");
  }

  @Test
  void anInvalidManifestIsRefusedWithTheFieldNamed() throws Exception {
    Path invalid = work.resolve("invalid.yaml");
    Files.writeString(invalid, Files.readString(RepoPaths.examples().resolve("churn-serving/modeldeployment-churn.yaml"))
        .replace("name: churn\n", "name: churn-invalid\n").replace("replicas: 3", "replicas: -2"));

    Run apply = kubectl("apply", "-f", invalid.toString());

    assertThat(apply.exitCode()).isNotZero();
    assertThat(apply.err()).contains("is invalid", "spec.replicas", "greater than or equal to 0");
    assertThat(modelDeployment("ml-churn", "churn-invalid")).isNull();

    Path unknownField = work.resolve("unknown.yaml");
    Files.writeString(unknownField, Files.readString(RepoPaths.examples().resolve("churn-serving/modeldeployment-churn.yaml"))
        .replace("name: churn\n", "name: churn-unknown\n").replace("  replicas: 3\n", "  replicas: 3\n  replica: 3\n"));
    Run strict = kubectl("apply", "-f", unknownField.toString());
    assertThat(strict.exitCode()).isNotZero();
    assertThat(strict.err()).contains("unknown field \"spec.replica\"");
  }
}
