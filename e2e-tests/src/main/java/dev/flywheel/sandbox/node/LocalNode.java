package dev.flywheel.sandbox.node;

import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.sandbox.Processes;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sandbox's node: registers its Nodes (Ready) and, for the pods, Jobs, Deployments, Services and PodMonitors of its
 * namespaces (seen through informers, so an unchanged object costs no API call), plays the scheduler, the kubelet
 * ({@link Kubelet}: each container a local process), the Job and Deployment controllers, kube-proxy ({@link
 * ServiceProxies}) and Prometheus' service discovery ({@link ScrapeTargets}). It works through any {@link
 * KubernetesClient}: the sandbox's in-process API, or the fabric8 mock server in CRUD mode. With {@code runPods(false)}
 * it only registers the Nodes: Jobs and Deployments get no pods and no status (the operator's scale benchmark).
 * {@link #close} stops every process it started.
 */
public final class LocalNode implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LocalNode.class.getName());

  private final NodeContext context;
  private final List<Node> nodes;
  private final PodIndex pods = new PodIndex();
  private final Kubelet kubelet;
  private final JobController jobs;
  private final DeploymentController deployments;
  private final ServiceProxies services = new ServiceProxies();
  private final ScrapeTargets targets;
  private final Map<String, Job> jobsByUid = new HashMap<>();
  private final Map<String, Deployment> deploymentsByUid = new HashMap<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  private LocalNode(NodeSettings settings, KubernetesClient client, List<Node> nodes) {
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "local-node"));
    ExecutorService probes = Executors.newFixedThreadPool(4, runnable -> daemon(runnable, "local-node-probe"));
    this.context = new NodeContext(settings, client, loop, probes, ConcurrentHashMap.newKeySet());
    this.nodes = List.copyOf(nodes);
    PodControl control = new PodControl(client, pods);
    this.kubelet = new Kubelet(context, this.nodes);
    this.jobs = new JobController(context, pods, control, jobsByUid::get);
    this.deployments = new DeploymentController(context, pods, control, deploymentsByUid::get);
    this.targets = new ScrapeTargets(settings.scrapeTargetsFile());
  }

  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /** The local port of a Service's port, once the Service exists. */
  public Optional<Integer> servicePort(String namespace, String name, int port) {
    return services.port(namespace, name, port);
  }

  /** The local ports of the pods a Service's port spreads connections over now. */
  public List<Integer> serviceEndpoints(String namespace, String name, int port) {
    return services.endpoints(namespace, name, port);
  }

  /** Prometheus' file_sd file this node writes. */
  public Path scrapeTargetsFile() {
    return context.settings().scrapeTargetsFile();
  }

  public Path workDir() {
    return context.settings().workDir();
  }

  /** Where a container's output goes (appended across restarts). */
  public Path containerLog(String namespace, String pod, String container) {
    return workDir().resolve("pods").resolve(namespace).resolve(pod).resolve(container + ".log");
  }

  /** How many processes the node started are still alive (those of deleted pods that are still stopping included). */
  public int runningProcesses() {
    return (int) context.processes().stream().filter(Process::isAlive).count();
  }

  private LocalNode start() {
    NodeRegistration.register(context.client(), nodes);
    if (!context.settings().runPods()) {
      return this;
    }
    for (String namespace : context.settings().namespaces()) {
      KubernetesClient client = context.client();
      inform(client.pods().inNamespace(namespace).inform(handler(this::podChanged, this::podDeleted)));
      inform(client.batch().v1().jobs().inNamespace(namespace).inform(handler(this::jobChanged, this::jobDeleted)));
      inform(client.apps().deployments().inNamespace(namespace).inform(handler(this::deploymentChanged, this::deploymentDeleted)));
      inform(client.services().inNamespace(namespace).inform(handler(this::serviceChanged, this::serviceDeleted)));
      try {
        inform(client.genericKubernetesResources(ScrapeTargets.POD_MONITORS).inNamespace(namespace)
            .inform(handler(this::podMonitorChanged, this::podMonitorDeleted)));
      } catch (KubernetesClientException noPodMonitors) {
        LOG.info("no PodMonitors in " + namespace + " (" + noPodMonitors.getMessage() + "): scraping by annotations only");
      }
    }
    return this;
  }

  private void inform(SharedIndexInformer<?> informer) {
    informers.add(informer);
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> changed, Consumer<T> deleted) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        context.loop().execute(() -> guarded(changed, object));
      }

      @Override
      public void onUpdate(T before, T after) {
        context.loop().execute(() -> guarded(changed, after));
      }

      @Override
      public void onDelete(T object, boolean finalStateUnknown) {
        context.loop().execute(() -> guarded(deleted, object));
      }
    };
  }

  private static <T extends HasMetadata> void guarded(Consumer<T> action, T object) {
    try {
      action.accept(object);
    } catch (RuntimeException failed) {
      LOG.log(Level.WARNING, "handling " + object.getKind() + " " + object.getMetadata().getName() + " failed", failed);
    }
  }

  private void podChanged(Pod pod) {
    pods.put(pod);
    kubelet.onPod(pod);
    ownerChanged(pod);
    refreshPods();
  }

  private void podDeleted(Pod pod) {
    pods.remove(pod);
    kubelet.onPodDeleted(pod);
    ownerChanged(pod);
    refreshPods();
  }

  private void ownerChanged(Pod pod) {
    Pods.controllerUid(pod).ifPresent(uid -> {
      Job job = jobsByUid.get(uid);
      if (job != null) {
        jobs.reconcile(job);
      }
      Deployment deployment = deploymentsByUid.get(uid);
      if (deployment != null) {
        deployments.reconcile(deployment);
      }
    });
  }

  private void refreshPods() {
    List<Pod> local = pods.all().stream().filter(kubelet::runs).toList();
    services.refresh(local);
    targets.refresh(local);
  }

  private void jobChanged(Job job) {
    jobsByUid.put(job.getMetadata().getUid(), job);
    jobs.reconcile(job);
  }

  private void jobDeleted(Job job) {
    jobsByUid.remove(job.getMetadata().getUid());
    jobs.onDeleted(job);
  }

  private void deploymentChanged(Deployment deployment) {
    deploymentsByUid.put(deployment.getMetadata().getUid(), deployment);
    deployments.reconcile(deployment);
  }

  private void deploymentDeleted(Deployment deployment) {
    deploymentsByUid.remove(deployment.getMetadata().getUid());
    deployments.onDeleted(deployment);
  }

  private void serviceChanged(Service service) {
    services.onService(service);
    refreshPods();
  }

  private void serviceDeleted(Service service) {
    services.onServiceDeleted(service);
  }

  private void podMonitorChanged(GenericKubernetesResource monitor) {
    targets.onPodMonitor(monitor);
    refreshPods();
  }

  private void podMonitorDeleted(GenericKubernetesResource monitor) {
    targets.onPodMonitorDeleted(monitor);
    refreshPods();
  }

  private <T> T onLoop(java.util.concurrent.Callable<T> work) {
    try {
      return context.loop().submit(work).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(interrupted);
    } catch (Exception failed) {
      throw new IllegalStateException(failed);
    }
  }

  /** Stops watching, then every process it started (SIGTERM, SIGKILL after 10 s), the Service proxies and its threads. */
  @Override
  public void close() throws InterruptedException {
    informers.forEach(SharedIndexInformer::close);
    onLoop(() -> {
      kubelet.stopAll(Duration.ofSeconds(10));
      return null;
    });
    Processes.stopAll(List.copyOf(context.processes()), Duration.ofSeconds(10));
    services.close();
    context.loop().shutdownNow();
    context.probes().shutdownNow();
    context.loop().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }

  /** The node's settings, each named; {@link #start} registers the Nodes and starts watching. */
  public static final class Builder {
    private final KubernetesClient client;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private Path workDir;
    private Path launcher;
    private Path djlCacheDir = Path.of(System.getProperty("user.home"), ".djl.ai");
    private String javaOptions = "-Xmx256m -XX:+UseSerialGC";
    private boolean runPods = true;
    private Path scrapeTargetsFile;
    private Duration backoff = Duration.ofSeconds(10);

    private Builder(KubernetesClient client) {
      this.client = client;
    }

    /** The namespaces whose pods, Jobs, Deployments, Services and PodMonitors it handles. */
    public Builder namespaces(String... names) {
      namespaces.addAll(List.of(names));
      return this;
    }

    /** A Node to register (name, labels, taints in its spec); at least one. */
    public Builder node(Node node) {
      nodes.add(node);
      return this;
    }

    /** Where pods' folders, volumes and logs go (required). */
    public Builder workDir(Path workDir) {
      this.workDir = workDir;
      return this;
    }

    /** The flywheel-model launcher; default: model-server/bin/flywheel-model of the repository. */
    public Builder launcher(Path launcher) {
      this.launcher = launcher;
      return this;
    }

    /** The DJL cache every container shares; default ~/.djl.ai. */
    public Builder djlCacheDir(Path djlCacheDir) {
      this.djlCacheDir = djlCacheDir;
      return this;
    }

    /** JAVA_OPTS of containers that set none; default {@code -Xmx256m -XX:+UseSerialGC}. */
    public Builder javaOptions(String javaOptions) {
      this.javaOptions = javaOptions;
      return this;
    }

    /** False: register the Nodes and nothing else (no pods, no controllers). */
    public Builder runPods(boolean runPods) {
      this.runPods = runPods;
      return this;
    }

    /** Where Prometheus' file_sd targets go; default {@code <workDir>/prometheus/targets.json}. */
    public Builder scrapeTargetsFile(Path scrapeTargetsFile) {
      this.scrapeTargetsFile = scrapeTargetsFile;
      return this;
    }

    /** The first restart back-off of Jobs and containers (doubled per failure, at most 5 min); default 10 s as in Kubernetes. */
    public Builder backoff(Duration backoff) {
      this.backoff = backoff;
      return this;
    }

    public LocalNode start() {
      if (workDir == null) {
        throw new IllegalArgumentException("LocalNode needs a workDir");
      }
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("LocalNode needs at least one Node");
      }
      if (runPods && namespaces.isEmpty()) {
        throw new IllegalArgumentException("LocalNode needs the namespaces it runs pods of");
      }
      Path absolute = workDir.toAbsolutePath();
      NodeSettings settings = new NodeSettings(List.copyOf(namespaces), absolute,
          launcher != null ? launcher : RepoPaths.root().resolve("model-server/bin/flywheel-model"), djlCacheDir, javaOptions, runPods,
          scrapeTargetsFile != null ? scrapeTargetsFile : absolute.resolve("prometheus/targets.json"), backoff);
      return new LocalNode(settings, client, nodes).start();
    }
  }
}
