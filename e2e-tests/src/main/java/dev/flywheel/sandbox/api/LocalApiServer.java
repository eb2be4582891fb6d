package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.flywheel.crds.validation.ManifestValidator;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * An in-process Kubernetes API on a free loopback port (plain HTTP) for the sandbox and the end-to-end tests: the fabric8
 * mock server in CRUD mode (its KubernetesCrudDispatcher keeps the objects, see {@link ObjectStore}), extended with the
 * Flywheel CRDs applied and enforced (schema, CEL, defaults), status and scale subresources, server-side apply
 * (emulated), garbage collection, watches over HTTP, discovery, and the rest kubectl needs, behind a JDK HttpServer front
 * (fabric8's listener cannot stream HTTP watches). The operator, the local node and kubectl reach it through
 * {@link #writeKubeconfig(Path)}.
 */
public final class LocalApiServer implements AutoCloseable {
  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs: ~40 ms per request.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /** The User-Agent of {@link #client()} (the local node's, the sandbox's and the benchmark's requests). */
  public static final String OWN_USER_AGENT = "flywheel-sandbox";

  private final HttpServer server;
  private final ExecutorService threads;
  private final GarbageCollector garbageCollector;
  private final ObjectStore store;
  private final String url;
  private final RequestCounts requestCounts;
  private KubernetesClient client;

  private LocalApiServer(HttpServer server, ExecutorService threads, GarbageCollector garbageCollector, ObjectStore store,
      RequestCounts requestCounts) {
    this.server = server;
    this.requestCounts = requestCounts;
    this.threads = threads;
    this.garbageCollector = garbageCollector;
    this.store = store;
    this.url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Starts the API with every CustomResourceDefinition of the YAML files in crdDirectory (helm/flywheel/crds) applied. */
  public static LocalApiServer start(Path crdDirectory) {
    ResourceTypes types = ResourceTypes.withBuiltIns();
    ObjectStore store = new ObjectStore();
    CustomResourceDefinitions definitions = new CustomResourceDefinitions(types);
    store.setAdmission(definitions.then(new ResourceValidation(ManifestValidator.fromDirectory(crdDirectory))));
    store.addListener(definitions::onChange);
    GarbageCollector garbageCollector = new GarbageCollector(store);
    store.addListener(garbageCollector::onChange);
    createNamespaces(types, store, List.of("default", "kube-system"));
    applyDefinitions(types, store, crdDirectory);
    AtomicInteger count = new AtomicInteger();
    ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "sandbox-api-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      server.setExecutor(threads);
      RequestCounts requestCounts = new RequestCounts();
      server.createContext("/", new ApiHandler(types, store, requestCounts));
      server.start();
      return new LocalApiServer(server, threads, garbageCollector, store, requestCounts);
    } catch (IOException e) {
      threads.shutdownNow();
      throw new UncheckedIOException(e);
    }
  }

  private static void createNamespaces(ResourceTypes types, ObjectStore store, List<String> names) {
    ResourceType namespaces = types.find("", "v1", "namespaces").orElseThrow();
    for (String name : names) {
      ObjectNode namespace = ApiRequest.JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Namespace");
      namespace.putObject("metadata").put("name", name);
      namespace.putObject("spec").putArray("finalizers").add("kubernetes");
      store.create(namespaces, null, namespace, WriteOptions.DEFAULT);
    }
  }

  private static void applyDefinitions(ResourceTypes types, ObjectStore store, Path directory) {
    ResourceType definitions = types.find("apiextensions.k8s.io", "v1", "customresourcedefinitions").orElseThrow();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
        for (JsonNode document : ManifestValidator.readAll(file)) {
          if ("CustomResourceDefinition".equals(document.path("kind").asText())) {
            store.create(definitions, null, (ObjectNode) document, WriteOptions.DEFAULT);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** http://127.0.0.1:port */
  public String url() {
    return url;
  }

  /** The objects behind the API (for tests and the sandbox's own bookkeeping). */
  public ObjectStore store() {
    return store;
  }

  /** The requests answered so far, by client, verb and resource (for the operator benchmark). */
  public RequestCounts requestCounts() {
    return requestCounts;
  }

  /** A fabric8 client of this API, namespace default (closed with the server). */
  public synchronized KubernetesClient client() {
    if (client == null) {
      Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("default")
          .withRequestTimeout(30_000).withConnectionTimeout(5_000).withUserAgent(OWN_USER_AGENT).build();
      client = new KubernetesClientBuilder().withConfig(config).build();
    }
    return client;
  }

  /** Writes a kubeconfig that kubectl and the fabric8 client (the operator) use unchanged; namespace default. */
  public void writeKubeconfig(Path file) {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: flywheel-sandbox
          cluster:
            server: %s
        users:
        - name: flywheel-sandbox
          user: {}
        contexts:
        - name: flywheel-sandbox
          context:
            cluster: flywheel-sandbox
            user: flywheel-sandbox
            namespace: default
        current-context: flywheel-sandbox
        """.formatted(url);
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (client != null) {
        client.close();
      }
    }
    server.stop(0);
    threads.shutdownNow();
    garbageCollector.close();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
