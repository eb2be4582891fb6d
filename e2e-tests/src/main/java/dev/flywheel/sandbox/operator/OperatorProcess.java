package dev.flywheel.sandbox.operator;

import dev.flywheel.sandbox.Processes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's production build (operator/target/quarkus-app) as a local process pointed at an API by a
 * kubeconfig — the same jar the image runs — with its settings given as environment variables, as the chart does.
 * It can be killed without warning and started again, as a crashed container is restarted in its pod.
 */
public final class OperatorProcess implements AutoCloseable {
  /** The sandbox's JVM flags: a small heap and a quick start (C1 only), for a laptop running the whole loop. */
  public static final List<String> SANDBOX_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  /** The name of the pod the operator plays (its HOSTNAME). */
  public static final String POD_NAME = "flywheel-operator-0";
  private final Path jar;
  private final Path log;
  private final Map<String, String> environment;
  private final List<String> jvmOptions;
  private Process process;
  private boolean closed;

  private OperatorProcess(Path jar, Path log, Map<String, String> environment, List<String> jvmOptions) {
    this.jar = jar;
    this.log = log;
    this.environment = environment;
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** The operator jar of a built checkout. */
  public static Path jarIn(Path repositoryRoot) {
    return repositoryRoot.resolve("operator/target/quarkus-app/quarkus-run.jar");
  }

  /**
   * An operator (not started yet) that reads {@code kubeconfig}, records Site events in {@code namespace}, and takes
   * {@code settings} (e.g. FLYWHEEL_PROMETHEUS_URL) as environment variables; its output goes to {@code log}.
   */
  public static OperatorProcess of(Path jar, Path kubeconfig, String namespace, Map<String, String> settings, Path log) {
    return of(jar, kubeconfig, namespace, settings, log, SANDBOX_JVM_OPTIONS);
  }

  /** The same, with these JVM flags instead of {@link #SANDBOX_JVM_OPTIONS}. */
  public static OperatorProcess of(Path jar, Path kubeconfig, String namespace, Map<String, String> settings, Path log,
      List<String> jvmOptions) {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    environment.put("POD_NAMESPACE", namespace);
    // A pod's HOSTNAME is its name, and JOSDK's leader-election identity: a process started again after a kill is
    // the container restarted in the same pod, holding the Lease at once (a new identity would wait for it to expire).
    environment.put("HOSTNAME", POD_NAME);
    environment.putAll(settings);
    return new OperatorProcess(jar, log, environment, jvmOptions);
  }

  /**
   * Starts the operator (again, after a kill); its output is appended to the log. Refused while one runs or once
   * closed, so a restart racing the sandbox's shutdown cannot leave an operator behind.
   */
  public synchronized OperatorProcess start() throws IOException {
    if (closed || alive()) {
      throw new IllegalStateException(closed ? "the operator was stopped for good" : "the operator is already running");
    }
    if (!Files.isRegularFile(jar)) {
      throw new IOException("the operator is not built: " + jar + " is missing (mvn -B -ntp -pl operator -am package -DskipTests)");
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    process = builder.start();
    return this;
  }

  /**
   * Waits until the operator answers its readiness probe (/q/health/ready on QUARKUS_HTTP_PORT, the chart's probe), as
   * a restarted pod becomes Ready; fails when the process ends first or after {@code timeout}.
   */
  public void awaitReady(Duration timeout) throws IOException, InterruptedException {
    String port = environment.get("QUARKUS_HTTP_PORT");
    if (port == null) {
      throw new IllegalStateException("the operator has no QUARKUS_HTTP_PORT setting: its readiness cannot be probed");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
        .timeout(Duration.ofSeconds(2)).build();
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!alive()) {
        throw new IOException("the operator ended before it was ready; see " + log);
      }
      try {
        if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // starting
      }
      Thread.sleep(250);
    }
    throw new IOException("the operator was not ready within " + timeout + "; see " + log);
  }

  /** SIGKILL: no shutdown hook runs, no status is written; the next start must converge from what the API holds. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  public synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** The operator's process id, or -1 when it is not running. */
  public synchronized long pid() {
    return alive() ? process.pid() : -1;
  }

  public Path log() {
    return log;
  }

  @Override
  public synchronized void close() throws InterruptedException {
    closed = true;
    Processes.stop(process);
    process = null;
  }
}
