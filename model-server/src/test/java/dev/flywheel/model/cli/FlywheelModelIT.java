package dev.flywheel.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.testdata.SyntheticData;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher end to end in separate JVMs: reproducible training, results in the termination log, validate, serve. */
class FlywheelModelIT {
  @TempDir static Path tmp;
  private static Path data;
  private static Path bundle;
  private static JsonNode trained;

  @BeforeAll
  static void trainOnce() throws Exception {
    data = SyntheticData.churn(tmp, 1000, 21);
    bundle = tmp.resolve("bundle-a");
    Launcher.Run run = Launcher.run(tmp.resolve("logs-a"), train(bundle, tmp.resolve("termination-a")));
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    trained = Json.MAPPER.readTree(run.stdout());
  }

  private static String[] train(Path out, Path terminationLog) {
    return new String[] {"train", "--data", "file://" + data, "--label", "churned", "--task", "binaryClassification",
        "--hidden-layers", "16,8", "--epochs", "5", "--seed", "42", "--out", out.toString(), "--termination-log", terminationLog.toString()};
  }

  @Test
  void trainingWritesItsResultToStdoutAndTheTerminationLog() throws Exception {
    assertThat(trained.path("status").asText()).isEqualTo("Succeeded");
    assertThat(trained.path("bundleDigest").asText()).matches("sha256:[0-9a-f]{64}");
    assertThat(trained.path("metrics").path("auc").asDouble()).isGreaterThan(0.6);
    assertThat(trained.path("rows").path("training").asInt()).isEqualTo(800);
    JsonNode log = Json.MAPPER.readTree(Files.readString(tmp.resolve("termination-a")));
    assertThat(log.path("bundleDigest")).isEqualTo(trained.path("bundleDigest"));
    assertThat(Files.size(tmp.resolve("termination-a"))).isLessThanOrEqualTo(4096);
  }

  @Test
  void sameDataOptionsAndSeedGiveABitIdenticalBundleInAnotherJvm() throws Exception {
    Path again = tmp.resolve("bundle-b");
    Launcher.Run run = Launcher.run(tmp.resolve("logs-b"), train(again, tmp.resolve("termination-b")));
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(Json.MAPPER.readTree(run.stdout()).path("bundleDigest")).isEqualTo(trained.path("bundleDigest"));
    assertThat(Files.readAllBytes(again.resolve("mlp-0000.params"))).isEqualTo(Files.readAllBytes(bundle.resolve("mlp-0000.params")));
  }

  @Test
  void trainingFailureGivesTheReasonAndANonZeroExit() throws Exception {
    Path log = tmp.resolve("termination-failed");
    Launcher.Run run = Launcher.run(tmp.resolve("logs-failed"), "train", "--data", data.toString(), "--label", "churn",
        "--out", tmp.resolve("never").toString(), "--termination-log", log.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    JsonNode result = Json.MAPPER.readTree(Files.readString(log));
    assertThat(result.path("status").asText()).isEqualTo("Failed");
    assertThat(result.path("reason").asText()).startsWith("label column 'churn' not found (columns: tenure_months,");
    assertThat(tmp.resolve("never")).doesNotExist();
    assertThat(run.stderr()).doesNotContain("Exception");

    Launcher.Run usage = Launcher.run(tmp.resolve("logs-usage"), "train", "--data", data.toString(), "--label", "churned",
        "--out", tmp.resolve("never").toString(), "--epochs", "many");
    assertThat(usage.exitCode()).isEqualTo(2);
    assertThat(usage.stderr()).contains("--epochs must be a whole number");
  }

  @Test
  void validateChecksTheDigestLoadsTheModelAndScoresHoldoutData() throws Exception {
    Path holdout = SyntheticData.churn(tmp.resolve("holdout"), 300, 77);
    Launcher.Run ok = Launcher.run(tmp.resolve("logs-validate"), "validate", "--bundle", bundle.toString(),
        "--expected-digest", trained.path("bundleDigest").asText(), "--data", holdout.toString(), "--label", "churned",
        "--termination-log", tmp.resolve("termination-validate").toString());
    assertThat(ok.exitCode()).as(ok.stderr()).isZero();
    JsonNode result = Json.MAPPER.readTree(ok.stdout());
    assertThat(result.path("digestMatch").asBoolean()).isTrue();
    assertThat(result.path("smokeTestPassed").asBoolean()).isTrue();
    assertThat(result.path("holdoutRows").asInt()).isEqualTo(300);
    assertThat(result.path("metrics").path("auc").asDouble()).isGreaterThan(0.6);

    Launcher.Run wrong = Launcher.run(tmp.resolve("logs-validate-wrong"), "validate", "--bundle", bundle.toString(),
        "--expected-digest", "sha256:" + "0".repeat(64));
    assertThat(wrong.exitCode()).isEqualTo(1);
    JsonNode refused = Json.MAPPER.readTree(wrong.stdout());
    assertThat(refused.path("digestMatch").asBoolean()).isFalse();
    assertThat(refused.path("reason").asText()).startsWith("bundle digest mismatch");
  }

  @Test
  void validateScoresTheRetrainedCandidateAndTheCurrentVersionOnTheSameFreshHoldout() throws Exception {
    Path shifted = SyntheticData.churnAfterShift(tmp.resolve("data-shifted"), 1000, 31);
    Path candidate = tmp.resolve("bundle-shifted");
    Launcher.Run retrained = Launcher.run(tmp.resolve("logs-shifted"), "train", "--data", shifted.toString(), "--label", "churned",
        "--hidden-layers", "16,8", "--epochs", "5", "--seed", "42", "--out", candidate.toString());
    assertThat(retrained.exitCode()).as(retrained.stderr()).isZero();
    String candidateDigest = Json.MAPPER.readTree(retrained.stdout()).path("bundleDigest").asText();
    Path fresh = SyntheticData.churnAfterShift(tmp.resolve("fresh"), 300, 32);
    Path more = SyntheticData.churnAfterShift(tmp.resolve("fresh-more"), 200, 33);
    Path log = tmp.resolve("termination-compare");

    Launcher.Run compared = Launcher.run(tmp.resolve("logs-compare"), "validate", "--bundle", candidate.toString(),
        "--expected-digest", candidateDigest, "--holdout", fresh.getParent() + "/", "--holdout", "file://" + more,
        "--baseline-bundle", bundle.toString(), "--baseline-expected-digest", trained.path("bundleDigest").asText(),
        "--termination-log", log.toString());
    assertThat(compared.exitCode()).as(compared.stdout() + compared.stderr()).isZero();
    JsonNode result = Json.MAPPER.readTree(compared.stdout());
    assertThat(Json.MAPPER.readTree(Files.readString(log))).as("the termination message the operator reads").isEqualTo(result);
    assertThat(result.path("status").asText()).isEqualTo("Succeeded");
    assertThat(result.path("digestMatch").asBoolean()).isTrue();
    assertThat(result.path("smokeTestPassed").asBoolean()).isTrue();
    JsonNode holdout = result.path("holdout");
    assertThat(holdout.path("rows").asInt()).as("a directory of one shard and a file").isEqualTo(500);
    assertThat(holdout.path("datasetDigest").asText()).matches("sha256:[0-9a-f]{64}");
    assertThat(holdout.path("baseline").path("digest").asText()).isEqualTo(trained.path("bundleDigest").asText());
    JsonNode candidateMetrics = holdout.path("metrics");
    JsonNode baselineMetrics = holdout.path("baseline").path("metrics");
    assertThat(candidateMetrics.fieldNames()).toIterable().containsExactly("accuracy", "auc", "f1");
    assertThat(baselineMetrics.fieldNames()).toIterable().containsExactly("accuracy", "auc", "f1");
    assertThat(candidateMetrics.path("auc").asDouble()).as("trained after the shift, it ranks the fresh rows better")
        .isGreaterThan(baselineMetrics.path("auc").asDouble() + 0.2);
  }

  @Test
  void serveAnswersUntilSigtermAndRefusesATamperedBundle() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process server = Launcher.start(tmp.resolve("logs-serve"), "serve", "--bundle", bundle.toString(), "--name", "churn",
        "--model-version", "1", "--host", "127.0.0.1", "--port", String.valueOf(port));
    try {
      HttpClient client = HttpClient.newHttpClient();
      URI ready = URI.create("http://127.0.0.1:" + port + "/v2/health/ready");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline && server.isAlive()) {
        try {
          status = client.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException notYet) {
          Thread.sleep(100);
        }
      }
      assertThat(status).as(Launcher.read(tmp.resolve("logs-serve/stderr"))).isEqualTo(200);
      String body = "{\"inputs\": [{\"name\": \"tenure_months\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [5]},"
          + "{\"name\": \"monthly_charges\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [80]},"
          + "{\"name\": \"support_calls\", \"shape\": [1], \"datatype\": \"INT64\", \"data\": [4]},"
          + "{\"name\": \"contract\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"month-to-month\"]}]}";
      HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/churn/infer"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    } finally {
      server.destroy();
    }
    assertThat(server.waitFor(20, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
    assertThat(server.exitValue()).as("a graceful stop").isIn(0, 143);

    Path tampered = tmp.resolve("tampered");
    Files.createDirectories(tampered);
    try (var files = Files.list(bundle)) {
      for (Path f : files.toList()) {
        Files.copy(f, tampered.resolve(f.getFileName()));
      }
    }
    Files.writeString(tampered.resolve("flywheel-model.json"), Files.readString(tampered.resolve("flywheel-model.json")).replace("\"relu\"", "\"relu\" "));
    Launcher.Run refused = Launcher.run(tmp.resolve("logs-tampered"), "serve", "--bundle", tampered.toString(), "--port", "0");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr()).contains("refusing to serve: bundle digest mismatch");
  }

  @Test
  void anImportedOnnxModelWithAHandWrittenDescriptionIsValidatedAndServed() throws Exception {
    JsonNode trainedMetadata = Json.MAPPER.readTree(bundle.resolve("flywheel-model.json").toFile());
    Path imported = Files.createDirectories(tmp.resolve("imported"));
    Files.copy(bundle.resolve("model.onnx"), imported.resolve("model.onnx"));
    com.fasterxml.jackson.databind.node.ObjectNode description = Json.MAPPER.createObjectNode()
        .put("formatVersion", 1).put("format", "onnx").put("task", "binaryClassification").put("outputs", "logits");
    description.set("classes", trainedMetadata.get("classes"));
    description.set("features", trainedMetadata.get("features"));
    description.putObject("weights").put("OnnxRuntime", "model.onnx");
    Files.writeString(imported.resolve("flywheel-model.json"), Json.MAPPER.writeValueAsString(description));

    Launcher.Run digest = Launcher.run(tmp.resolve("logs-digest"), "digest", "--bundle", imported.toString(), "--write", "true");
    assertThat(digest.exitCode()).as(digest.stderr()).isZero();
    String written = Json.MAPPER.readTree(digest.stdout()).path("digest").asText();
    assertThat(Files.readString(imported.resolve("flywheel-model.sha256")).trim()).isEqualTo(written);

    Launcher.Run validated = Launcher.run(tmp.resolve("logs-validate-imported"), "validate", "--bundle", imported.toString(),
        "--expected-digest", written);
    assertThat(validated.exitCode()).as(validated.stdout() + validated.stderr()).isZero();
    assertThat(Json.MAPPER.readTree(validated.stdout()).path("engines").path("OnnxRuntime").asText()).isEqualTo("loaded");
  }
}
