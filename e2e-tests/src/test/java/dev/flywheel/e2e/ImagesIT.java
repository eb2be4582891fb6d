package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flywheel.sandbox.story.ChurnData;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.sandbox.Ports;
import dev.flywheel.sandbox.Processes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * images/build builds the two images the chart names, twice to the same image IDs, and each runs in podman as a
 * restricted pod runs it (read-only root, a numeric non-root user, no network): the model image trains, validates and
 * serves on loopback; the operator image, with no API server to reach, exits with one line saying so.
 */
class ImagesIT {
  private static final long MAX_MODEL_IMAGE_BYTES = 450_000_000L;
  private static final String USER = "10001";
  private static final Path LOGS = RepoPaths.root().resolve("e2e-tests/target/images-it");
  private static final Podman PODMAN = new Podman(LOGS);

  private static String modelImage;
  private static String operatorImage;
  private static Podman.Result firstBuild;
  private static Podman.Result secondBuild;

  @TempDir Path data;

  @BeforeAll
  static void buildTheImagesTwice() throws Exception {
    assumeTrue(Podman.installed(), "podman is not installed: images/build and the images' smoke tests are skipped "
        + "(on Debian 12: apt-get install podman runc mmdebstrap faketime uidmap zip unzip, as .ci/run does)");
    JsonNode values = new YAMLMapper().readTree(RepoPaths.root().resolve("helm/flywheel/values.yaml").toFile());
    JsonNode chart = new YAMLMapper().readTree(RepoPaths.root().resolve("helm/flywheel/Chart.yaml").toFile());
    modelImage = values.path("modelImage").asText();
    operatorImage = values.path("image").path("repository").asText() + ":" + chart.path("appVersion").asText();
    firstBuild = PODMAN.buildImages(Duration.ofMinutes(20));
    assertThat(firstBuild.exitCode()).as(firstBuild.output()).isZero();
    secondBuild = PODMAN.buildImages(Duration.ofMinutes(10));
    assertThat(secondBuild.exitCode()).as(secondBuild.output()).isZero();
    System.out.println("images/build:\n" + firstBuild.output() + "\nimages/build again:\n" + secondBuild.output());
  }

  @Test
  void theBuildNamesTheChartsImagesGivesTheSameIdsTwiceAndKeepsTheModelImageSmall() throws Exception {
    for (String image : List.of(modelImage, operatorImage)) {
      String id = inspect(image, "{{.Id}}");
      assertThat(firstBuild.output()).as("images/build prints " + image).contains(image).contains(id.substring(0, 12));
      assertThat(secondBuild.output()).as("the second build of " + image + " is the same image").contains(id.substring(0, 12));
    }
    assertThat(Long.parseLong(inspect(modelImage, "{{.Size}}"))).as("model image size").isLessThanOrEqualTo(MAX_MODEL_IMAGE_BYTES);
    assertThat(inspect(modelImage, "{{.Config.User}}")).isEqualTo(USER + ":" + USER);
    assertThat(inspect(modelImage, "{{json .Config.Entrypoint}}")).isEqualTo("[\"/opt/flywheel/bin/flywheel-model\"]");
    assertThat(inspect(modelImage, "{{json .Config.Env}}"))
        .contains("DJL_OFFLINE=true", "OPT_OUT_TRACKING=true", "DJL_CACHE_DIR=/tmp/djl", "HOME=/tmp");
    assertThat(inspect(operatorImage, "{{.Config.User}}")).isEqualTo(USER + ":" + USER);
  }

  @Test
  void theModelImageTrainsValidatesAndServesReadOnlyAsANonRootUserWithoutNetwork() throws Exception {
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
    ChurnData.writeCsv(data.resolve("churn.csv"), 400, 7);

    List<String> offline = List.of("--network", "none");
    Podman.Result train = PODMAN.podman(Duration.ofMinutes(5), "model-train", runModel(offline, "rw", List.of("train",
        "--data", "file:///data/churn.csv", "--label", "churned", "--task", "binaryClassification", "--hidden-layers", "8",
        "--epochs", "3", "--seed", "42", "--out", "/data/bundle", "--termination-log", "/data/train-result.json")));
    assertThat(train.exitCode()).as(train.output()).isZero();
    assertThat(Files.getAttribute(data.resolve("bundle/flywheel-model.json"), "unix:uid")).as("written by the image's user")
        .isEqualTo(Integer.parseInt(USER));
    String digest = json(data.resolve("train-result.json")).path("bundleDigest").asText();
    assertThat(digest).startsWith("sha256:");

    Podman.Result validate = PODMAN.podman(Duration.ofMinutes(5), "model-validate", runModel(offline, "ro", List.of("validate",
        "--bundle", "/data/bundle", "--expected-digest", digest, "--data", "file:///data/churn.csv", "--label", "churned")));
    assertThat(validate.exitCode()).as(validate.output()).isZero();
    JsonNode validation = new ObjectMapper().readTree(validate.output().lines().filter(line -> line.startsWith("{"))
        .reduce((first, last) -> last).orElseThrow(() -> new AssertionError("no result line:\n" + validate.output())));
    assertThat(validation.path("digestMatch").asBoolean()).as(validate.output()).isTrue();
    assertThat(validation.path("smokeTestPassed").asBoolean()).as(validate.output()).isTrue();
    assertThat(validation.path("engines").path("PyTorch").asText()).as("PyTorch natives in the slim image").isEqualTo("loaded");
    assertThat(validation.path("engines").path("OnnxRuntime").asText()).as("ONNX Runtime natives in the slim image").isEqualTo("loaded");

    int port = Ports.free();
    String container = "flywheel-images-it-" + port;
    Process server = PODMAN.start("model-serve", runModel(List.of("--network", "host", "--name", container), "ro",
        List.of("serve", "--bundle", "/data/bundle", "--expected-digest", digest, "--name", "churn", "--model-version", "1",
            "--host", "127.0.0.1", "--port", String.valueOf(port), "--io-threads", "1")));
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      String base = "http://127.0.0.1:" + port;
      awaitReady(http, base + "/v2/health/ready", server, Duration.ofMinutes(2));
      HttpResponse<String> inferred = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/churn/infer"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(ChurnData.validRequest(new Random(3)))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(inferred.statusCode()).as(inferred.body()).isEqualTo(200);
      JsonNode outputs = new ObjectMapper().readTree(inferred.body()).path("outputs");
      assertThat(outputs.findValuesAsText("name")).contains("predicted_class");
    } finally {
      PODMAN.podman(Duration.ofSeconds(60), "model-serve-stop", List.of("stop", "--time", "10", container));
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the server stops on SIGTERM").isTrue();
      Processes.stop(server);
      PODMAN.podman(Duration.ofSeconds(60), "model-serve-rm", List.of("rm", "--force", "--ignore", container));
    }
  }

  @Test
  void theOperatorImageWithoutAnApiServerExitsWithOneLineSayingSo() throws Exception {
    Podman.Result run = PODMAN.podman(Duration.ofMinutes(2), "operator", List.of("run", "--rm", "--read-only",
        "--user", USER, "--network", "none", operatorImage));
    assertThat(run.exitCode()).as(run.output()).isNotZero();
    assertThat(run.output().lines())
        .as(run.output())
        .anySatisfy(line -> assertThat(line)
            .startsWith("flywheel-operator: cannot reach the Kubernetes API server at https://kubernetes.default.svc")
            .contains("unknown host kubernetes.default.svc"));
    assertThat(run.output()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Caused by").doesNotContain("Exception");
  }

  /** {@code podman run} arguments for the model image: read-only root, non-root user, /data mounted rw or ro. */
  private List<String> runModel(List<String> podmanOptions, String mountMode, List<String> args) {
    List<String> run = new ArrayList<>(List.of("run", "--rm", "--read-only", "--user", USER));
    run.addAll(podmanOptions);
    run.addAll(List.of("--volume", data + ":/data:" + mountMode, modelImage));
    run.addAll(args);
    return run;
  }

  private static String inspect(String image, String format) throws Exception {
    Podman.Result result = PODMAN.podman(Duration.ofSeconds(60), "inspect", List.of("image", "inspect", "--format", format, image));
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output().strip();
  }

  private static JsonNode json(Path file) throws IOException {
    return new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
  }

  private static void awaitReady(HttpClient http, String url, Process server, Duration timeout) throws Exception {
    HttpRequest ready = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("the served model image exited with " + server.exitValue() + ":\n" + PODMAN.log("model-serve"));
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(url + " not ready within " + timeout + ":\n" + PODMAN.log("model-serve"));
  }
}
