package dev.flywheel.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus (the Debian binary) on a free loopback port: its own config (scrape every second), web config
 * (basic-auth users with bcrypt hashes), data dir and log, served under the route prefix {@code /prometheus}.
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
    Files.createDirectories(dir);
    int port = Ports.free();
    Path config = Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: flywheel-model
            static_configs:
              - targets: [%s]
        """.formatted(targets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "))));
    Path webConfig = Files.writeString(dir.resolve("web.yml"), "basic_auth_users:\n" + users.entrySet().stream()
        .map(user -> "  " + user.getKey() + ": '" + user.getValue() + "'\n").collect(Collectors.joining()));
    Path log = dir.resolve("prometheus.log");
    String baseUrl = "http://127.0.0.1:" + port + ROUTE_PREFIX;
    Process process = new ProcessBuilder(BINARY.toString(),
        "--config.file=" + config,
        "--web.config.file=" + webConfig,
        "--web.listen-address=127.0.0.1:" + port,
        "--web.external-url=" + baseUrl + "/",
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--storage.tsdb.retention.time=1h",
        "--log.level=warn")
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

  /** Waits until /-/ready answers 200 to a request with this Authorization header. */
  void awaitReady(Duration timeout, String authorization) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl + "/-/ready")).timeout(Duration.ofSeconds(2))
        .header("Authorization", authorization).build();
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
