package dev.flywheel.sandbox;

import dev.flywheel.sandbox.api.LocalApiServer;
import dev.flywheel.sandbox.node.LocalNode;
import dev.flywheel.sandbox.operator.OperatorProcess;
import dev.flywheel.sandbox.prometheus.LocalPrometheus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Flywheel on one machine: the in-process Kubernetes API (kubeconfig written), a real Prometheus scraping what the
 * local node lists, the local node with one node in each of the sandbox's pools (onprem, and a tainted cloud pool),
 * and the operator's production build pointed at the API. Everything lives under one directory — kubeconfig, logs,
 * volumes, Prometheus data — and {@link #close()} stops every process it started, whatever state it is in.
 */
public final class SandboxEnvironment implements AutoCloseable {
  /** The operator's namespace: its Lease and the Events about Sites. */
  public static final String OPERATOR_NAMESPACE = "flywheel-system";

  private final Path directory;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private LocalApiServer api;
  private LocalPrometheus prometheus;
  private LocalNode node;
  private OperatorProcess operator;

  private SandboxEnvironment(Path directory) {
    this.directory = directory;
  }

  /**
   * What to start: whether the local node runs pods, the operator's settings (environment variables) beyond the ones
   * every sandbox sets, Prometheus' scrape interval, the namespaces whose pods the node runs (empty: all), and the
   * operator's JVM flags.
   */
  public record Options(boolean runPods, Map<String, String> operatorSettings, Duration scrapeInterval,
      List<String> nodeNamespaces, List<String> operatorJvmOptions) {
    /** With the sandbox's JVM flags for the operator ({@link OperatorProcess#SANDBOX_JVM_OPTIONS}). */
    public Options(boolean runPods, Map<String, String> operatorSettings, Duration scrapeInterval,
        List<String> nodeNamespaces) {
      this(runPods, operatorSettings, scrapeInterval, nodeNamespaces, OperatorProcess.SANDBOX_JVM_OPTIONS);
    }

    /** Pods run in these namespaces, Prometheus scrapes every second, the operator has the sandbox's settings. */
    public static Options forNamespaces(String... namespaces) {
      return new Options(true, Map.of(), Duration.ofSeconds(1), List.of(namespaces));
    }
  }

  /** Starts everything under {@code directory} (see {@link #emptied}) from the checkout at {@code repository}. */
  public static SandboxEnvironment start(Path repository, Path directory, Options options) throws Exception {
    SandboxEnvironment environment = new SandboxEnvironment(directory);
    try {
      environment.startAll(repository, options);
      return environment;
    } catch (Exception | Error e) {
      environment.close();
      throw e;
    }
  }

  private void startAll(Path repository, Options options) throws Exception {
    Files.createDirectories(directory);
    api = remember(LocalApiServer.start(repository.resolve("helm/flywheel/crds")));
    api.writeKubeconfig(kubeconfig());
    prometheus = remember(LocalPrometheus.builder(directory.resolve("prometheus")).fileSd(scrapeTargets())
        .scrapeInterval(options.scrapeInterval()).start());
    prometheus.awaitReady(Duration.ofSeconds(30));
    node = remember(LocalNode.builder(api.client())
        .namespaces(options.nodeNamespaces().toArray(String[]::new))
        .node(node("onprem-1", Map.of("flywheel.dev/pool", "onprem"), null))
        .node(node("cloud-1", Map.of("flywheel.dev/pool", "cloud"), "flywheel.dev/burst"))
        .workDir(directory.resolve("node"))
        .launcher(repository.resolve("model-server/bin/flywheel-model"))
        .runPods(options.runPods())
        .scrapeTargetsFile(scrapeTargets())
        .backoff(Duration.ofSeconds(2))
        .start());
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    settings.put("QUARKUS_HTTP_PORT", String.valueOf(Ports.free()));
    settings.put("FLYWHEEL_PROMETHEUS_URL", prometheus.baseUrl());
    settings.put("FLYWHEEL_PLACEMENT_RETRY", "5s");
    settings.put("FLYWHEEL_SITE_PROBE_INTERVAL", "10s");
    settings.put("FLYWHEEL_SERVING_RESYNC", "5s");
    settings.put("FLYWHEEL_RETRAINING_INTERVAL", "5s");
    settings.putAll(options.operatorSettings());
    operator = remember(OperatorProcess.of(OperatorProcess.jarIn(repository), kubeconfig(), OPERATOR_NAMESPACE, settings,
        directory.resolve("logs/operator.log"), options.operatorJvmOptions()).start());
  }

  /** Empties {@code directory} (creating it when missing): a sandbox starts from nothing, whatever ran there before. */
  public static Path emptied(Path directory) throws IOException {
    if (Files.exists(directory)) {
      try (var files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
    return Files.createDirectories(directory);
  }

  /** A Node of one pool: its labels, and a NoSchedule taint with this key (null: none). */
  private static Node node(String name, Map<String, String> labels, String taintKey) {
    NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata();
    if (taintKey != null) {
      node.withNewSpec().addNewTaint().withKey(taintKey).withEffect("NoSchedule").endTaint().endSpec();
    }
    return node.build();
  }

  private <T extends AutoCloseable> T remember(T resource) {
    started.push(resource);
    return resource;
  }

  public Path directory() {
    return directory;
  }

  public Path kubeconfig() {
    return directory.resolve("kubeconfig");
  }

  private Path scrapeTargets() {
    return directory.resolve("prometheus/targets.json");
  }

  public KubernetesClient client() {
    return api.client();
  }

  public LocalApiServer api() {
    return api;
  }

  public LocalPrometheus prometheus() {
    return prometheus;
  }

  public LocalNode node() {
    return node;
  }

  public OperatorProcess operator() {
    return operator;
  }

  /** Where the local node keeps a PersistentVolumeClaim of a namespace. */
  public Path claimFolder(String namespace, String claim) {
    return directory.resolve("node/volumes").resolve(namespace).resolve(claim);
  }

  /** Writes a file into a namespace's claim (the folder the local node maps it to); a path may not leave the claim. */
  public void writeToClaim(String namespace, String claim, String path, byte[] content) throws IOException {
    Path folder = claimFolder(namespace, claim);
    Path file = folder.resolve(path).normalize();
    if (!file.startsWith(folder) || file.equals(folder)) {
      throw new IllegalArgumentException("path leaves the claim " + claim + ": " + path);
    }
    Files.createDirectories(file.getParent());
    Files.write(file, content);
  }

  /** A loopback URL of one port of a Service, once the local node proxies it (it has a ready endpoint); else empty. */
  public Optional<URI> serviceUrl(String namespace, String service, int port) {
    return node.servicePort(namespace, service, port).map(local -> URI.create("http://127.0.0.1:" + local));
  }

  /** Stops the operator first (so it creates nothing more), then the node's processes, Prometheus, the API. */
  @Override
  public void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        System.err.println("sandbox: stopping " + e.getMessage());
      }
    }
  }

  /** The operator and the node's processes: anything of ours still alive (a test asserts none is left). */
  public static long processesAlive(ProcessHandle of) {
    return of.descendants().filter(ProcessHandle::isAlive).count();
  }
}
