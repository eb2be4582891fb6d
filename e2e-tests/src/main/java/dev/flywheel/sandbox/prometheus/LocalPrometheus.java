package dev.flywheel.sandbox.prometheus;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus (the Debian binary) on a free loopback port, served under the route prefix {@code /prometheus}, with
 * its own config, data dir and log in a folder: a static scrape job ({@code flywheel-model}: targets, optional static
 * labels) and/or a file_sd job ({@code flywheel-pods}: the targets file a {@code LocalNode} writes, re-read every second),
 * a configurable scrape interval (default 1 s; the scrape timeout is the interval, at most 10 s), and optional basic-auth
 * users (bcrypt hashes) for its web endpoints.
 */
public final class LocalPrometheus implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/prometheus");
  public static final String ROUTE_PREFIX = "/prometheus";

  private final List<String> command;
  private final Path dir;
  private final String baseUrl;
  private final Path log;
  private volatile Process process;

  private LocalPrometheus(List<String> command, Path dir, String baseUrl, Path log) throws IOException {
    this.command = List.copyOf(command);
    this.dir = dir;
    this.baseUrl = baseUrl;
    this.log = log;
    this.process = launch();
  }

  private Process launch() throws IOException {
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** The base URL a ModelDeployment's monitoring.prometheusUrl would hold (with the route prefix). */
  public String baseUrl() {
    return baseUrl;
  }

  public Process process() {
    return process;
  }

  /** Waits until /-/ready answers 200 (no authentication configured). */
  public void awaitReady(Duration timeout) throws InterruptedException {
    awaitReady(timeout, null);
  }

  /** Waits until /-/ready answers 200 to a request with this Authorization header (none when null). */
  public void awaitReady(Duration timeout, String authorization) throws InterruptedException {
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

  public String log() {
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
  public void stop() throws InterruptedException {
    Processes.stop(process);
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts it again after {@link #stop()}: the same port, configuration and data (what it scraped before is kept). */
  public synchronized void restart() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException("prometheus is still running");
    }
    process = launch();
  }

  /** What the Prometheus scrapes and how; {@link #start} writes the config and starts it. */
  public static final class Builder {
    private final Path dir;
    private final List<String> staticTargets = new ArrayList<>();
    private final Map<String, String> staticLabels = new TreeMap<>();
    private final List<Path> fileSd = new ArrayList<>();
    private final Map<String, String> users = new LinkedHashMap<>();
    private Duration scrapeInterval = Duration.ofSeconds(1);

    private Builder(Path dir) {
      this.dir = dir;
    }

    /** Static targets (host:port), scraped as job flywheel-model, every sample labelled with {@code labels}. */
    public Builder staticTargets(List<String> targets, Map<String, String> labels) {
      staticTargets.addAll(targets);
      staticLabels.putAll(labels);
      return this;
    }

    /** A file_sd targets file (JSON), scraped as job flywheel-pods; it may not exist yet. */
    public Builder fileSd(Path targetsFile) {
      fileSd.add(targetsFile.toAbsolutePath());
      return this;
    }

    /** Basic-auth users of the web endpoints: names to bcrypt hashes. */
    public Builder users(Map<String, String> bcryptHashes) {
      users.putAll(bcryptHashes);
      return this;
    }

    public Builder scrapeInterval(Duration interval) {
      this.scrapeInterval = interval;
      return this;
    }

    public LocalPrometheus start() throws IOException {
      Files.createDirectories(dir);
      int port = Ports.free();
      Path config = Files.writeString(dir.resolve("prometheus.yml"), config());
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
      Files.deleteIfExists(log);
      return new LocalPrometheus(command, dir, baseUrl, log);
    }

    private String config() {
      String interval = seconds(scrapeInterval);
      String timeout = seconds(scrapeInterval.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : scrapeInterval);
      StringBuilder yaml = new StringBuilder("""
          global:
            scrape_interval: %s
            scrape_timeout: %s
            evaluation_interval: %s
          scrape_configs:
          """.formatted(interval, timeout, interval));
      if (!staticTargets.isEmpty()) {
        yaml.append("  - job_name: flywheel-model\n    static_configs:\n      - targets: [")
            .append(staticTargets.stream().map(t -> "'" + t + "'").collect(Collectors.joining(", "))).append("]\n");
        if (!staticLabels.isEmpty()) {
          yaml.append("        labels:\n");
          staticLabels.forEach((key, value) -> yaml.append("          ").append(key).append(": '").append(value).append("'\n"));
        }
      }
      if (!fileSd.isEmpty()) {
        yaml.append("  - job_name: flywheel-pods\n    honor_labels: true\n    file_sd_configs:\n      - refresh_interval: 1s\n        files: [")
            .append(fileSd.stream().map(f -> "'" + f + "'").collect(Collectors.joining(", "))).append("]\n");
      }
      return yaml.toString();
    }

    private static String seconds(Duration duration) {
      return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
  }
}
