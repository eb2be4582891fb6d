package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.modelversion.Stage;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.sandbox.prometheus.LocalPrometheus;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's second command, `./sandbox --keep`, runs Flywheel's whole loop on this machine: asserted from what the API
 * holds and what Prometheus measured while it stays up, then SIGTERM stops every process it started.
 */
class SandboxIT {
  private static final Pattern PROMETHEUS = Pattern.compile("Prometheus: (http://\\S+)");

  @TempDir Path tmp;

  @Test
  void theLoopClosesAndKubectlUsersSeeItThenSigtermLeavesNothingRunning() throws Exception {
    assumeTrue(LocalPrometheus.installed(), "the sandbox needs Prometheus: apt-get install -y prometheus");
    Path log = tmp.resolve("sandbox.log");
    Path dir = tmp.resolve("sandbox");
    ProcessBuilder builder = new ProcessBuilder(RepoPaths.root().resolve("sandbox").toString(), "--keep")
        .directory(RepoPaths.root().toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SANDBOX_DIR", dir.toString());
    Process sandbox = builder.start();
    try {
      long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
      while (!Files.readString(log).contains("Flywheel stays up") && sandbox.isAlive() && System.nanoTime() < end) {
        Thread.sleep(1000);
      }
      String output = Files.readString(log);
      assertThat(output).as("the story ran to its end and stayed up").contains("Flywheel stays up");
      JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
      assertThat(summary.path("loopClosed").asBoolean()).as(output).isTrue();

      try (KubernetesClient client = new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(dir.resolve("kubeconfig")))).build()) {
        List<TrainingJob> jobs = client.resources(TrainingJob.class).inNamespace("sandbox").list().getItems();
        assertThat(jobs).as("the first training and exactly one retrain").hasSize(2)
            .allSatisfy(job -> {
              assertThat(String.valueOf(job.getStatus().getPhase())).isEqualTo("Succeeded");
              assertThat(job.getStatus().getSite()).as("restricted data stays on premises").isEqualTo("onprem");
            });
        ModelDeployment deployment = client.resources(ModelDeployment.class).inNamespace("sandbox").withName("churn").get();
        String retrained = deployment.getStatus().getLastRetrain().getModelVersion();
        assertThat(deployment.getStatus().getLastRetrain().getOutcome()).isEqualTo("Promoted");
        assertThat(deployment.getStatus().getCurrentVersion()).isEqualTo(retrained);
        assertThat(deployment.getStatus().getCanaryVersion()).isNull();
        List<ModelVersion> versions = client.resources(ModelVersion.class).inNamespace("sandbox").list().getItems();
        assertThat(versions).hasSize(2);
        assertThat(versions).filteredOn(version -> version.getMetadata().getName().equals(retrained))
            .singleElement().satisfies(version -> assertThat(version.getStatus().getStage()).isEqualTo(Stage.Production));
        assertThat(versions).filteredOn(version -> version.getMetadata().getName().equals("churn-v1"))
            .singleElement().satisfies(version -> assertThat(version.getStatus().getStage()).isEqualTo(Stage.Archived));

        Matcher prometheus = PROMETHEUS.matcher(output);
        assertThat(prometheus.find()).as(output).isTrue();
        String shiftedDrift = "max_over_time(max(flywheel_feature_drift_psi{namespace=\"sandbox\",version=\"churn-v1\"})[10m:5s])";
        String driftNow = "max(flywheel_feature_drift_psi{namespace=\"sandbox\",version=\"" + retrained + "\"})";
        assertThat(query(prometheus.group(1), driftNow)).as("drift of the retrained version")
            .isLessThan(query(prometheus.group(1), shiftedDrift));
      }

      List<ProcessHandle> started = sandbox.descendants().toList();
      assertThat(started).as("operator, Prometheus, model servers").hasSizeGreaterThanOrEqualTo(4);
      sandbox.destroy(); // SIGTERM
      assertThat(sandbox.waitFor(90, TimeUnit.SECONDS)).as("the sandbox stops on SIGTERM").isTrue();
      Thread.sleep(1000);
      assertThat(started.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::info).toList())
          .as("no process of the sandbox is left").isEmpty();
    } finally {
      sandbox.descendants().forEach(ProcessHandle::destroyForcibly);
      sandbox.destroyForcibly();
    }
  }

  private static double query(String prometheus, String promql) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        prometheus + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    JsonNode value = new ObjectMapper().readTree(response.body()).path("data").path("result").path(0).path("value").path(1);
    assertThat(value.isMissingNode()).as(promql + " → " + response.body()).isFalse();
    return Double.parseDouble(value.asText());
  }
}
