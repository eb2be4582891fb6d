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
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retraining data path end to end in separate JVMs: serve with --capture-uri, labels through /v1/feedback,
 * SIGTERM writes the shards; then train on the base CSV plus the capture directory.
 */
class CaptureIT {
  @TempDir Path tmp;

  private String[] train(Path out, String... data) {
    List<String> args = new java.util.ArrayList<>(List.of("train", "--label", "churned", "--hidden-layers", "16,8", "--epochs", "3",
        "--seed", "42", "--out", out.toString()));
    for (String d : data) {
      args.add("--data");
      args.add(d);
    }
    return args.toArray(String[]::new);
  }

  private JsonNode trained(String logs, Path out, String... data) throws Exception {
    Launcher.Run run = Launcher.run(tmp.resolve(logs), train(out, data));
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    return Json.MAPPER.readTree(run.stdout());
  }

  @Test
  void capturedShardsAreWrittenOnSigtermAndTrainTogetherWithTheBaseDataset() throws Exception {
    Path base = SyntheticData.churn(tmp.resolve("base"), 600, 5);
    Path bundle = tmp.resolve("bundle");
    trained("logs-train", bundle, base.toString());
    Path capture = tmp.resolve("capture");

    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process server = Launcher.start(tmp.resolve("logs-serve"), "serve", "--bundle", bundle.toString(), "--name", "churn",
        "--model-version", "1", "--host", "127.0.0.1", "--port", String.valueOf(port), "--capture-uri", "file://" + capture,
        "--capture-max-rows-per-shard", "40", "--capture-max-pending", "500");
    HttpClient client = HttpClient.newHttpClient();
    String root = "http://127.0.0.1:" + port;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline && server.isAlive()) {
        try {
          status = client.send(HttpRequest.newBuilder(URI.create(root + "/v2/health/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException notYet) {
          Thread.sleep(100);
        }
      }
      assertThat(status).as(Launcher.read(tmp.resolve("logs-serve/stderr"))).isEqualTo(200);
      Random random = new Random(3);
      for (int i = 0; i < 100; i++) {
        String body = String.format(Locale.ROOT, "{\"id\": \"r%d\", \"inputs\": ["
                + "{\"name\": \"tenure_months\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [%d]},"
                + "{\"name\": \"monthly_charges\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [%.2f]},"
                + "{\"name\": \"support_calls\", \"shape\": [1], \"datatype\": \"INT64\", \"data\": [%d]},"
                + "{\"name\": \"contract\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"%s\"]}]}",
            i, 1 + random.nextInt(72), 20 + random.nextDouble() * 100, random.nextInt(8), i % 2 == 0 ? "one-year" : "month-to-month");
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(root + "/v2/models/churn/infer"))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      }
      StringBuilder feedback = new StringBuilder("[");
      for (int i = 0; i < 90; i++) {
        feedback.append(i == 0 ? "" : ",").append("{\"id\": \"r").append(i).append("\", \"label\": \"").append(i % 3 == 0 ? "yes" : "no").append("\"}");
      }
      HttpResponse<String> fed = client.send(HttpRequest.newBuilder(URI.create(root + "/v1/feedback"))
          .POST(HttpRequest.BodyPublishers.ofString(feedback.append("]").toString())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(fed.body()).contains("\"accepted\":90");
    } finally {
      server.destroy();
    }
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
    assertThat(server.exitValue()).as("a graceful stop").isIn(0, 143);
    String stderr = Launcher.read(tmp.resolve("logs-serve/stderr"));
    assertThat(stderr).contains("capturing labelled traffic to " + capture)
        .contains("capture: 90 rows captured in 3 shards in " + capture + "; 10 rows still waiting for labels were let go");

    List<Path> shards;
    try (Stream<Path> files = Files.list(capture)) {
      shards = files.sorted().toList();
    }
    assertThat(shards).as("only closed shards, no .csv.tmp").hasSize(3)
        .allMatch(p -> p.getFileName().toString().matches("capture-[A-Za-z0-9.-]+-\\d+-\\d{13}-00000[123]\\.csv"));
    assertThat(Files.readAllLines(shards.get(2))).hasSize(11).first().isEqualTo(Files.readAllLines(base).get(0));

    Path first = tmp.resolve("retrained-1");
    JsonNode retrained = trained("logs-retrain-1", first, base.toString(), capture + "/");
    assertThat(retrained.path("rows").path("training").asInt() + retrained.path("rows").path("validation").asInt()).isEqualTo(690);
    assertThat(retrained.path("datasetShards").asInt()).isEqualTo(4);
    JsonNode again = trained("logs-retrain-2", tmp.resolve("retrained-2"), base.toString(), "file://" + capture + "/");
    assertThat(again.path("datasetDigest")).as("same shards, same digest").isEqualTo(retrained.path("datasetDigest"));
    assertThat(again.path("bundleDigest")).isEqualTo(retrained.path("bundleDigest"));

    Launcher.Run validated = Launcher.run(tmp.resolve("logs-validate"), "validate", "--bundle", first.toString(), "--data", capture + "/",
        "--label", "churned");
    assertThat(validated.exitCode()).as(validated.stdout() + validated.stderr()).isZero();
    assertThat(Json.MAPPER.readTree(validated.stdout()).path("holdoutRows").asInt()).as("validate reads a directory too").isEqualTo(90);

    Files.copy(shards.get(0), capture.resolve("capture-later-1-1-000001.csv"));
    JsonNode more = trained("logs-retrain-3", tmp.resolve("retrained-3"), base.toString(), capture + "/");
    assertThat(more.path("datasetDigest")).as("a shard added").isNotEqualTo(retrained.path("datasetDigest"));
    assertThat(more.path("rows").path("training").asInt() + more.path("rows").path("validation").asInt()).isEqualTo(730);

    Files.writeString(capture.resolve("capture-odd.csv"), "tenure_months,contract,churned\n3,one-year,no\n");
    Launcher.Run refused = Launcher.run(tmp.resolve("logs-retrain-4"), train(tmp.resolve("retrained-4"), base.toString(), capture + "/"));
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(Json.MAPPER.readTree(refused.stdout()).path("reason").asText())
        .startsWith("shard capture-odd.csv of " + capture + "/ has the columns [tenure_months, contract, churned] but ");
    assertThat(refused.stderr()).doesNotContain("Exception");
  }
}
