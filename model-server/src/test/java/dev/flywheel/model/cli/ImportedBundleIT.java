package dev.flywheel.model.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.testdata.ImportedBundles;
import dev.flywheel.model.testdata.ImportedBundles.Example;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Imported bundles through bin/flywheel-model in separate JVMs: every kind validates; a model with a fixed batch size
 * serves a batched request; a description that contradicts its model is refused by validate (exit 1, the one-line
 * reason in the JSON result and the termination log) and by serve (exit 1, one line on stderr), never with a stack trace.
 */
class ImportedBundleIT {
  @TempDir Path tmp;

  static Stream<Example> kinds() {
    return Stream.of(ImportedBundles.binary(), ImportedBundles.multiclass(), ImportedBundles.regression(), ImportedBundles.categorical());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void everyKindValidates(Example example) throws Exception {
    Path bundle = example.write(tmp.resolve(example.name()));
    String digest = Files.readString(bundle.resolve("flywheel-model.sha256")).trim();
    Launcher.Run run = Launcher.run(tmp.resolve("logs"), "validate", "--bundle", bundle.toString(), "--expected-digest", digest);
    assertThat(run.exitCode()).as(run.stdout() + run.stderr()).isZero();
    JsonNode result = Json.MAPPER.readTree(run.stdout());
    assertThat(result.path("status").asText()).isEqualTo("Succeeded");
    assertThat(result.path("engines").path("OnnxRuntime").asText()).isEqualTo("loaded");
    assertThat(result.path("smokeTestPassed").asBoolean()).isTrue();
    assertThat(result.path("task").asText()).isEqualTo(example.description().path("task").asText());
  }

  @Test
  void aContradictingDescriptionIsRefusedByValidateAndServeWithOneLine() throws Exception {
    Example wrongWidth = ImportedBundles.categorical()
        .describedAs(d -> ((com.fasterxml.jackson.databind.node.ArrayNode) d.get("features").get(1).get("vocabulary")).remove(2));
    Path bundle = wrongWidth.write(tmp.resolve("wrong-width"));
    String reason = "the model's input 'features' FLOAT [?, 4] takes 4 columns, but the features of flywheel-model.json encode to 3"
        + " (support_calls: 1; contract: 2 one-hot)";
    Path log = tmp.resolve("termination-log");

    Launcher.Run validate = Launcher.run(tmp.resolve("logs-validate"), "validate", "--bundle", bundle.toString(),
        "--termination-log", log.toString());
    assertThat(validate.exitCode()).isEqualTo(1);
    JsonNode result = Json.MAPPER.readTree(validate.stdout());
    assertThat(result.path("status").asText()).isEqualTo("Failed");
    assertThat(result.path("reason").asText()).isEqualTo(reason);
    assertThat(result.path("digestMatch").asBoolean()).isTrue();
    assertThat(Json.MAPPER.readTree(Files.readString(log))).isEqualTo(result);
    assertThat(validate.stderr()).doesNotContain("Exception").doesNotContain("\tat ");

    Launcher.Run serve = Launcher.run(tmp.resolve("logs-serve"), "serve", "--bundle", bundle.toString(), "--host", "127.0.0.1", "--port", "0");
    assertThat(serve.exitCode()).isEqualTo(1);
    assertThat(serve.stderr().lines().filter(line -> line.startsWith("serve:")).toList()).containsExactly("serve: refusing to serve: " + reason);
    assertThat(serve.stderr()).doesNotContain("Exception").doesNotContain("\tat ");

    Path unknownFormat = ImportedBundles.binary().describedAs(d -> d.put("format", "savedmodel")).write(tmp.resolve("unknown-format"));
    Launcher.Run format = Launcher.run(tmp.resolve("logs-format"), "validate", "--bundle", unknownFormat.toString());
    assertThat(format.exitCode()).isEqualTo(1);
    assertThat(Json.MAPPER.readTree(format.stdout()).path("reason").asText())
        .isEqualTo("flywheel-model.json has format 'savedmodel'; expected one of [flywheel-mlp, onnx, torchscript]");
  }

  @Test
  void aModelWithAFixedBatchSizeServesABatchedRequest() throws Exception {
    Path bundle = ImportedBundles.regression().withBatch(1).write(tmp.resolve("fixed-batch"));
    Launcher.Run validate = Launcher.run(tmp.resolve("logs-validate"), "validate", "--bundle", bundle.toString());
    assertThat(validate.exitCode()).as(validate.stdout() + validate.stderr()).isZero();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process server = Launcher.start(tmp.resolve("logs-serve"), "serve", "--bundle", bundle.toString(), "--name", "prices",
        "--host", "127.0.0.1", "--port", String.valueOf(port));
    try {
      HttpClient client = HttpClient.newHttpClient();
      awaitReady(client, server, port);
      String body = "{\"inputs\": [{\"name\": \"rows\", \"shape\": [3, 2], \"datatype\": \"FP32\", \"data\": [[100, 3], [140, 6], [60, 1.5]]}]}";
      HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/models/prices/infer"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode predictions = Json.MAPPER.readTree(answer.body()).path("outputs").get(0).path("data");
      double[] standardised = {0.05, 0.9 + 0.4 + 0.05, -0.9 - 0.2 + 0.05};
      for (int r = 0; r < 3; r++) {
        assertThat(predictions.get(r).asDouble()).as("row %d", r).isCloseTo(standardised[r] * 80000 + 250000, org.assertj.core.data.Offset.offset(1.0));
      }
    } finally {
      server.destroy();
      server.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static void awaitReady(HttpClient client, Process server, int port) throws Exception {
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
    assertThat(status).as("ready").isEqualTo(200);
  }
}
