package dev.flywheel.e2e;

import dev.flywheel.sandbox.Ports;
import dev.flywheel.sandbox.Processes;
import dev.flywheel.operator.metrics.MetricsSource;
import dev.flywheel.operator.metrics.PrometheusEndpoint;
import dev.flywheel.operator.metrics.QueryResult;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A real Prometheus (the Debian binary) on a free loopback port: its own config (scrape every second, optional static
 * target labels), web config (basic-auth users with bcrypt hashes, or none), data dir and log, served under the route
 * prefix {@code /prometheus}.
 */
final class LocalPrometheus implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/prometheus");
  static final String ROUTE_PREFIX = "/prometheus";

  private final Process process;
  private final String baseUrl;
  private final Path log;

  private LocalPrometheus(Process process, String baseUrl, Path log) {
    this.process = process;
    this.baseUrl = baseUrl;
    this.log = log;
  }

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** Starts Prometheus in {@code dir} scraping {@code targets} (host:port); {@code users} maps names to bcrypt hashes. */
  static LocalPrometheus start(Path dir, List<String> targets, Map<String, String> users) throws IOException {
    return start(dir, targets, Map.of(), users);
  }

  /**
   * As {@link #start(Path, List, Map)}, and every sample scraped from {@code targets} gets the static {@code
   * targetLabels} (as a PodMonitor attaches {@code namespace} from the pod); no {@code users}: no authentication.
   */
  static LocalPrometheus start(Path dir, List<String> targets, Map<String, String> targetLabels, Map<String, String> users)
      throws IOException {
    Files.createDirectories(dir);
    int port = Ports.free();
    String labels = targetLabels.isEmpty() ? "" : "        labels:\n" + new TreeMap<>(targetLabels).entrySet().stream()
        .map(label -> "          " + label.getKey() + ": '" + label.getValue() + "'\n").collect(Collectors.joining());
    Path config = Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: flywheel-model
            static_configs:
              - targets: [%s]
        """.formatted(targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "))) + labels);
    List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--config.file=" + config));
    if (!users.isEmpty()) {
      Path webConfig = Files.writeString(dir.resolve("web.yml"), "basic_auth_users:\n" + users.entrySet().stream()
          .map(user -> "  " + user.getKey() + ": '" + user.getValue() + "'\n").collect(Collectors.joining()));
      command.add("--web.config.file=" + webConfig);
    }
    Path log = dir.resolve("prometheus.log");
    String baseUrl = "http://127.0.0.1:" + port + ROUTE_PREFIX;
    command.addAll(List.of(
        "--web.listen-address=127.0.0.1:" + port,
        "--web.external-url=" + baseUrl + "/",
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--storage.tsdb.retention.time=1h",
        "--log.level=warn"));
    Process process = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    return new LocalPrometheus(process, baseUrl, log);
  }

  /** The base URL a ModelDeployment's monitoring.prometheusUrl would hold (with the route prefix). */
  String baseUrl() {
    return baseUrl;
  }

  Process process() {
    return process;
  }

  /** Waits until /-/ready answers 200 to a request with this Authorization header (none when null). */
  void awaitReady(Duration timeout, String authorization) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + "/-/ready")).timeout(Duration.ofSeconds(2));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    HttpRequest ready = builder.build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("prometheus exited with " + process.exitValue() + ":\n" + log());
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
    throw new IllegalStateException("prometheus not ready within " + timeout + ":\n" + log());
  }

  /**
   * Polls {@code promql} every 100 ms until its result satisfies {@code until} (the scrapes have caught up) and returns
   * that result; an AssertionError with the last result and Prometheus' log after {@code timeout}.
   */
  QueryResult await(MetricsSource client, PrometheusEndpoint endpoint, String promql, Predicate<QueryResult> until, String what,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    QueryResult last;
    do {
      last = client.query(endpoint, promql);
      if (until.test(last)) {
        return last;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(promql + " did not become " + what + " within " + timeout + " (last: " + last.outcome() + " "
        + last.message() + ")\n" + log());
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** SIGTERM, then SIGKILL if it has not stopped within 10 s. */
  @Override
  public void close() throws InterruptedException {
    Processes.stop(process);
  }

  /** Stops it and waits: its port then refuses connections. */
  void stop() throws InterruptedException {
    Processes.stop(process);
    process.waitFor(10, TimeUnit.SECONDS);
  }
}
