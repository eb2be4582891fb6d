package dev.flywheel.e2e.cluster;

import dev.flywheel.operator.common.RestrictedPodSecurity;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * The end-to-end tests' cluster when one is given: Flywheel installed by its Helm chart with the images named in
 * FLYWHEEL_E2E_OPERATOR_IMAGE and FLYWHEEL_E2E_MODEL_IMAGE, reached with FLYWHEEL_E2E_KUBECONFIG. Data goes into
 * claims through a short-lived loader pod; Prometheus and Services are reached by port-forward; the operator is
 * killed by deleting its pod with no grace period. See e2e-tests/README.md, "Against a real cluster".
 */
public final class RealCluster implements FlywheelCluster {
  static final String KUBECONFIG = "FLYWHEEL_E2E_KUBECONFIG";
  private static final String OPERATOR_LABEL = "app.kubernetes.io/name";
  private static final String OPERATOR_NAME = "flywheel-operator";

  private final KubernetesClient client;
  private final Path kubeconfig;
  private final Settings settings;
  private final List<String> namespaces;
  private final Map<String, LocalPortForward> serviceForwards = new HashMap<>();
  private int prometheusReplicas = 1;
  private LocalPortForward prometheusForward;

  /** What the run was given, each from its environment variable. */
  record Settings(String operatorImage, String modelImage, String operatorNamespace, String prometheusService,
      String prometheusWorkload, String storageClass) {
    static Settings fromEnvironment() {
      Map<String, String> env = System.getenv();
      return new Settings(required(env, "FLYWHEEL_E2E_OPERATOR_IMAGE"), required(env, "FLYWHEEL_E2E_MODEL_IMAGE"),
          env.getOrDefault("FLYWHEEL_E2E_OPERATOR_NAMESPACE", "flywheel-system"),
          required(env, "FLYWHEEL_E2E_PROMETHEUS_SERVICE"), env.get("FLYWHEEL_E2E_PROMETHEUS_WORKLOAD"),
          env.get("FLYWHEEL_E2E_STORAGE_CLASS"));
    }

    private static String required(Map<String, String> env, String name) {
      String value = env.get(name);
      Assumptions.assumeTrue(value != null && !value.isBlank(), "a real-cluster run needs " + name
          + " (see e2e-tests/README.md, \"Against a real cluster\"); skipped");
      return value;
    }
  }

  private RealCluster(KubernetesClient client, Path kubeconfig, Settings settings, List<String> namespaces) {
    this.client = client;
    this.kubeconfig = kubeconfig;
    this.settings = settings;
    this.namespaces = namespaces;
  }

  static boolean configured() {
    return System.getenv(KUBECONFIG) != null;
  }

  /** Connects, checks that the installed operator runs the image given, and creates the test's namespaces. */
  static FlywheelCluster open(String... namespaces) throws Exception {
    Settings settings = Settings.fromEnvironment();
    Path kubeconfig = Path.of(System.getenv(KUBECONFIG));
    KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build();
    List<Deployment> operators = client.apps().deployments().inNamespace(settings.operatorNamespace())
        .withLabel(OPERATOR_LABEL, OPERATOR_NAME).list().getItems();
    Set<String> images = operators.stream().flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
        .map(container -> container.getImage()).collect(Collectors.toSet());
    if (!images.contains(settings.operatorImage())) {
      client.close();
      throw new IllegalStateException("no Flywheel operator running " + settings.operatorImage() + " in namespace "
          + settings.operatorNamespace() + " (found " + images + "); install it: helm install flywheel helm/flywheel -n "
          + settings.operatorNamespace() + " --create-namespace --set image.repository=…,image.tag=…,modelImage=…");
    }
    for (String namespace : namespaces) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
          .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).createOr(n -> n.update());
    }
    return new RealCluster(client, kubeconfig, settings, List.of(namespaces));
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** One port-forward to Prometheus' Service, on the same local port for the whole run (made again after a restart). */
  @Override
  public synchronized String prometheusUrl() {
    if (prometheusForward == null) {
      prometheusForward = forwardPrometheus(0);
    }
    return "http://127.0.0.1:" + prometheusForward.getLocalPort();
  }

  private LocalPortForward forwardPrometheus(int localPort) {
    String[] namespaceAndService = settings.prometheusService().split("/", 2);
    String[] serviceAndPort = namespaceAndService[1].split(":", 2);
    var service = client.services().inNamespace(namespaceAndService[0]).withName(serviceAndPort[0]);
    int port = Integer.parseInt(serviceAndPort[1]);
    return localPort == 0 ? service.portForward(port) : service.portForward(port, localPort);
  }

  @Override
  public void writeToClaim(String namespace, String claim, String path, byte[] content) throws Exception {
    if (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get() == null) {
      client.persistentVolumeClaims().inNamespace(namespace).resource(new PersistentVolumeClaimBuilder()
          .withNewMetadata().withName(claim).endMetadata()
          .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(settings.storageClass())
          .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).create();
    }
    String name = "flywheel-e2e-loader-" + Long.toHexString(System.nanoTime());
    Resource<Pod> loader = client.pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withRestartPolicy("Never").withSecurityContext(RestrictedPodSecurity.pod())
        .addNewContainer().withName("loader").withImage(settings.modelImage()).withCommand("sleep", "600")
        .withSecurityContext(RestrictedPodSecurity.container())
        .addNewVolumeMount().withName("claim").withMountPath("/claim").endVolumeMount().endContainer()
        .addNewVolume().withName("claim").withNewPersistentVolumeClaim().withClaimName(claim).endPersistentVolumeClaim()
        .endVolume().endSpec().build());
    loader.create();
    try {
      loader.waitUntilReady(5, TimeUnit.MINUTES);
      boolean uploaded = client.pods().inNamespace(namespace).withName(name).inContainer("loader")
          .file("/claim/" + path).upload(new ByteArrayInputStream(content));
      if (!uploaded) {
        throw new IllegalStateException("could not write pvc://" + claim + "/" + path + " through pod " + name);
      }
    } finally {
      loader.withGracePeriod(0).delete(); // ReadWriteOnce: the claim must be free for the pods that read it
    }
  }

  /**
   * One port-forward per Service port for the whole run (a caller may ask before every request). A port-forward
   * reaches one pod: traffic through it does not spread over replicas as the Service would.
   */
  @Override
  public synchronized Optional<URI> serviceUrl(String namespace, String service, int port) {
    String key = namespace + "/" + service + ":" + port;
    LocalPortForward forward = serviceForwards.get(key);
    if (forward == null || !forward.isAlive()) {
      var endpoints = client.endpoints().inNamespace(namespace).withName(service).get();
      boolean ready = endpoints != null && endpoints.getSubsets().stream().anyMatch(subset -> !subset.getAddresses().isEmpty());
      if (!ready) {
        return Optional.empty();
      }
      if (forward != null) {
        closeQuietly(forward);
      }
      forward = client.services().inNamespace(namespace).withName(service).portForward(port);
      serviceForwards.put(key, forward);
    }
    return Optional.of(URI.create("http://127.0.0.1:" + forward.getLocalPort()));
  }

  @Override
  public void stopPrometheus() {
    var workload = prometheusWorkload();
    StatefulSet prometheus = workload.get();
    if (prometheus == null) {
      throw new IllegalStateException("no StatefulSet " + settings.prometheusWorkload() + " (FLYWHEEL_E2E_PROMETHEUS_WORKLOAD)");
    }
    prometheusReplicas = Math.max(1, prometheus.getSpec().getReplicas());
    workload.scale(0);
  }

  /** Scales it back and forwards the same local port to the new pod (a port-forward ends with its pod). */
  @Override
  public synchronized void startPrometheus() throws Exception {
    prometheusWorkload().scale(prometheusReplicas, true);
    if (prometheusForward != null) {
      int localPort = prometheusForward.getLocalPort();
      prometheusForward.close();
      prometheusForward = forwardPrometheus(localPort);
    }
  }

  private RollableScalableResource<StatefulSet> prometheusWorkload() {
    String workload = settings.prometheusWorkload();
    Assumptions.assumeTrue(workload != null && workload.matches("[^/]+/[^/]+"), "stopping Prometheus in a real cluster "
        + "needs FLYWHEEL_E2E_PROMETHEUS_WORKLOAD=<namespace>/<statefulset>; skipped");
    String[] parts = workload.split("/");
    return client.apps().statefulSets().inNamespace(parts[0]).withName(parts[1]);
  }

  @Override
  public void killOperator() throws InterruptedException {
    var pods = client.pods().inNamespace(settings.operatorNamespace()).withLabel(OPERATOR_LABEL, OPERATOR_NAME);
    Set<String> before = pods.list().getItems().stream().map(pod -> pod.getMetadata().getName()).collect(Collectors.toSet());
    pods.withGracePeriod(0).delete();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      if (pods.list().getItems().stream().anyMatch(pod -> !before.contains(pod.getMetadata().getName())
          && Readiness.getInstance().isReady(pod))) {
        return;
      }
      Thread.sleep(1000);
    }
    throw new IllegalStateException("no new operator pod became ready within 3 minutes in " + settings.operatorNamespace());
  }

  @Override
  public String logs() {
    return "kubectl logs -n " + settings.operatorNamespace() + " -l " + OPERATOR_LABEL + "=" + OPERATOR_NAME
        + " (and the pods of namespaces " + namespaces + ")";
  }

  /** Deletes the test's namespaces (their Flywheel resources and pods with them) and the port-forwards. */
  @Override
  public synchronized void close() {
    serviceForwards.values().forEach(RealCluster::closeQuietly);
    if (prometheusForward != null) {
      closeQuietly(prometheusForward);
    }
    namespaces.forEach(namespace -> client.namespaces().withName(namespace).delete());
    client.close();
  }

  private static void closeQuietly(LocalPortForward forward) {
    try {
      forward.close();
    } catch (Exception e) {
      System.err.println("e2e: closing a port-forward: " + e.getMessage());
    }
  }
}
