package dev.flywheel.sandbox.operator;

import dev.flywheel.sandbox.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's production build (operator/target/quarkus-app) as a local process pointed at an API by a
 * kubeconfig — the same jar the image runs — with its settings given as environment variables, as the chart does.
 * It can be killed without warning and started again, as a crashed container is restarted in its pod.
 */
public final class OperatorProcess implements AutoCloseable {
  /** The name of the pod the operator plays (its HOSTNAME). */
  public static final String POD_NAME = "flywheel-operator-0";
  private final Path jar;
  private final Path log;
  private final Map<String, String> environment;
  private Process process;

  private OperatorProcess(Path jar, Path log, Map<String, String> environment) {
    this.jar = jar;
    this.log = log;
    this.environment = environment;
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
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    environment.put("POD_NAMESPACE", namespace);
    // A pod's HOSTNAME is its name, and JOSDK's leader-election identity: a process started again after a kill is
    // the container restarted in the same pod, holding the Lease at once (a new identity would wait for it to expire).
    environment.put("HOSTNAME", POD_NAME);
    environment.putAll(settings);
    return new OperatorProcess(jar, log, environment);
  }

  /** Starts the operator (again, after a kill); its output is appended to the log. */
  public synchronized OperatorProcess start() throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("the operator is not built: " + jar + " is missing (mvn -B -ntp -pl operator -am package -DskipTests)");
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    process = builder.start();
    return this;
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
    Processes.stop(process);
    process = null;
  }
}
