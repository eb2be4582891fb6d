package dev.flywheel.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.sandbox.Processes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real model runtime, model-server/bin/flywheel-model (built by the reactor before these tests), as the
 * images do: DJL offline, no telemetry, the DJL cache shared with the other tests, scratch files under target/.
 */
final class FlywheelModelLauncher {
  private final Path scratch;

  FlywheelModelLauncher(Path scratch) {
    this.scratch = scratch;
  }

  private ProcessBuilder command(List<String> args, Path log) throws IOException {
    Path tmp = Files.createDirectories(scratch.resolve("tmp"));
    List<String> command = new ArrayList<>();
    command.add(RepoPaths.root().resolve("model-server/bin/flywheel-model").toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("DJL_OFFLINE", "true");
    builder.environment().put("OPT_OUT_TRACKING", "true");
    // The default cache (~/.djl.ai) is the one every other test extracts the natives into: extracted once, not per test.
    builder.environment().putIfAbsent("DJL_CACHE_DIR", Path.of(System.getProperty("user.home"), ".djl.ai").toString());
    builder.environment().put("JAVA_OPTS", "-Xmx256m -Djava.io.tmpdir=" + tmp + " -Djna.tmpdir=" + tmp);
    return builder;
  }

  /** Trains a small binary classifier on {@code csv} (label column churned) into {@code bundle}; returns its digest. */
  String train(Path csv, Path bundle) throws Exception {
    Path result = scratch.resolve("train-result.json");
    Path log = scratch.resolve("train.log");
    Process train = command(List.of("train", "--data", csv.toUri().toString(), "--label", "churned",
        "--task", "binaryClassification", "--hidden-layers", "8", "--epochs", "3", "--seed", "42",
        "--out", bundle.toString(), "--termination-log", result.toString()), log).start();
    try {
      if (!train.waitFor(3, TimeUnit.MINUTES) || train.exitValue() != 0) {
        throw new IllegalStateException("flywheel-model train failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
    } finally {
      Processes.stop(train);
    }
    JsonNode json = new ObjectMapper().readTree(Files.readString(result, StandardCharsets.UTF_8));
    return json.path("bundleDigest").asText();
  }

  /** A running {@code flywheel-model serve}. */
  record Served(Process process, int port, Path log) {
    String url() {
      return "http://127.0.0.1:" + port;
    }

    String logText() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read " + log + ")";
      }
    }
  }

  /** Starts {@code flywheel-model serve} on 127.0.0.1:port as model churn, version {@code version}. */
  Served serve(Path bundle, String digest, String version, int port) throws IOException {
    return serve(bundle, digest, version, port, 100, 100);
  }

  /**
   * As {@link #serve(Path, String, String, int)}, with drift over the last {@code driftWindow} scored rows and online
   * accuracy over the last {@code feedbackWindow} labelled ones.
   */
  Served serve(Path bundle, String digest, String version, int port, int driftWindow, int feedbackWindow) throws IOException {
    Path log = scratch.resolve("serve-" + version + ".log");
    Process process = command(List.of("serve", "--bundle", bundle.toString(), "--expected-digest", digest, "--name", "churn",
        "--model-version", version, "--host", "127.0.0.1", "--port", String.valueOf(port), "--io-threads", "1",
        "--drift-window", String.valueOf(driftWindow), "--feedback-window", String.valueOf(feedbackWindow)), log).start();
    return new Served(process, port, log);
  }

  /** Waits until a served model answers /v2/health/ready with 200. */
  void awaitReady(Served server, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(server.url() + "/v2/health/ready")).timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.process().isAlive()) {
        throw new IllegalStateException("flywheel-model serve on port " + server.port() + " exited with "
            + server.process().exitValue() + ":\n" + server.logText());
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("flywheel-model serve on port " + server.port() + " not ready within " + timeout + ":\n" + server.logText());
  }
}
