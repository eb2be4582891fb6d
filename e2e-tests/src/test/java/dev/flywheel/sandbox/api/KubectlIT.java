package dev.flywheel.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
  private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
  private static final String MODEL_DEPLOYMENTS = "mlops.flywheel.dev/v1alpha1";

  @TempDir
  static Path work;
  private static LocalApiServer api;
  private static KubernetesClient client;
  private static Path kubeconfig;

  private record Run(int exitCode, String out, String err) {
    String all() {
      return out + err;
    }
  }

  @BeforeAll
  static void start() {
    assumeTrue(Files.isExecutable(KUBECTL), "KubectlIT needs kubectl at " + KUBECTL + "; skipped");
    api = LocalApiServer.start(RepoPaths.chartCrds());
    client = api.client();
    kubeconfig = work.resolve("kubeconfig");
    api.writeKubeconfig(kubeconfig);
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  private static Process startKubectl(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(RepoPaths.root().toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("HOME", work.toString());
    builder.redirectOutput(work.resolve("out-" + System.nanoTime()).toFile());
    builder.redirectError(work.resolve("err-" + System.nanoTime()).toFile());
    return builder.start();
  }

  private static Run kubectl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(RepoPaths.root().toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("HOME", work.toString());
    Process process = builder.start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " took more than 60 s");
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
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
