package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.Capture;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.ModelDeploymentSpec;
import dev.flywheel.crds.modeldeployment.ServerSettings;
import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.OwnerReferences;
import dev.flywheel.operator.common.RuntimePod;
import dev.flywheel.operator.common.StorageMounts;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The apps/v1 Deployment of one track of a ModelDeployment: {@code flywheel-model serve} of one ModelVersion, a pure
 * function of the ModelDeployment, the version, the replica count and the Sites, so it is tested without a cluster.
 */
public final class ServingDeploymentBuilder {
  /** The model server's HTTP port (inference, health, /metrics). */
  public static final int PORT = 8080;
  /** The name of that port on the container and the Services. */
  public static final String PORT_NAME = "http";
  static final String METRICS_PATH = "/metrics";
  /** The model server's gRPC port (the Open Inference Protocol over gRPC), when spec.server.grpc asks for it. */
  public static final int GRPC_PORT = 8081;
  /** The name of that port on the container and the Services. */
  public static final String GRPC_PORT_NAME = "grpc";

  private ServingDeploymentBuilder() {}

  /**
   * @param replicas pods of this track (see {@link ReplicaSplit})
   * @param sites the Sites' specs the pods may run on; empty: anywhere in the cluster
   * @param defaultImage used unless spec.server.image names one
   * @param podMonitor whether a PodMonitor scrapes the pods; if not, they carry the prometheus.io/* annotations (with
   *     one, prometheus.io/scrape is "false", so an annotation-based scrape config does not scrape them twice)
   */
  public static Deployment build(ModelDeployment mdep, ServedVersion version, Track track, int replicas, List<SiteSpec> sites,
      String defaultImage, boolean podMonitor) {
    ModelDeploymentSpec spec = mdep.getSpec();
    ServerSettings server = spec.getServer() != null ? spec.getServer() : new ServerSettings();
    StorageMounts storage = new StorageMounts();
    Map<String, String> podLabels = Labels.serving(mdep, track);
    podLabels.put(Labels.MODEL_VERSION, Labels.value(version.name()));
    List<String> placed = spec.getPlacement() != null ? spec.getPlacement().getSites() : null;
    if (placed != null && placed.size() == 1 && sites != null && sites.size() == 1) {
      podLabels.put(Labels.SITE, placed.get(0));
    }
    RuntimePod pod = new RuntimePod()
        .labels(podLabels)
        .annotations(annotations(version, podMonitor))
        .image(server.getImage() != null ? server.getImage() : defaultImage)
        .args(arguments(spec, server, version, storage))
        .storage(storage)
        .sites(sites)
        .resources(spec.getResources())
        .credentialsSecret(version.credentialsSecret())
        .ports(ports(server))
        .readinessProbe(probe("/v2/health/ready", 5, null))
        .livenessProbe(probe("/v2/health/live", 10, 3))
        .startupProbe(probe("/v2/health/live", 2, 60))
        .terminationGracePeriodSeconds(30L);
    return new DeploymentBuilder()
        .withNewMetadata()
          .withName(Names.servingDeployment(mdep, track))
          .withNamespace(mdep.getMetadata().getNamespace())
          .withLabels(Labels.serving(mdep, track))
          .withOwnerReferences(OwnerReferences.controller(mdep))
        .endMetadata()
        .withNewSpec()
          .withReplicas(replicas)
          .withNewSelector().withMatchLabels(Labels.servingSelector(mdep, track)).endSelector()
          .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate().withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1)).endRollingUpdate()
          .endStrategy()
          .withTemplate(pod.build())
        .endSpec()
        .build();
  }

  private static List<String> arguments(ModelDeploymentSpec spec, ServerSettings server, ServedVersion version, StorageMounts storage) {
    String uri = version.bundleUri();
    List<String> args = new java.util.ArrayList<>(List.of("serve",
        "--bundle", uri.startsWith("s3://") ? uri : storage.readPath(uri),
        "--name", spec.getModel(),
        "--model-version", version.name(),
        "--port", String.valueOf(PORT),
        "--host", "0.0.0.0",
        "--expected-digest", version.digest(),
        "--max-batch-size", String.valueOf(or(server.getMaxBatchSize(), 32)),
        "--max-batch-delay", or(server.getMaxBatchDelay(), "2ms"),
        "--max-concurrent-requests", String.valueOf(or(server.getMaxConcurrentRequests(), 256)),
        "--request-timeout", or(server.getRequestTimeout(), "10s")));
    if (servesGrpc(server)) {
      args.addAll(List.of("--grpc-port", String.valueOf(GRPC_PORT)));
    }
    Capture capture = spec.getMonitoring() != null ? spec.getMonitoring().getCapture() : null;
    if (capture != null) {
      // Every pod of every track writes its own shards there (names carry the pod), so one read-write mount serves all.
      args.addAll(List.of("--capture-uri", storage.write(capture.getUri()),
          "--capture-sample-rate", String.valueOf(or(capture.getSampleRate(), 1.0)),
          "--capture-max-pending", String.valueOf(or(capture.getMaxPendingRows(), 10000)),
          "--capture-max-shard-age", or(capture.getMaxShardAge(), "15m")));
    }
    return args;
  }

  /** Whether the pods also serve gRPC (spec.server.grpc; off by default). */
  static boolean servesGrpc(ServerSettings server) {
    return server != null && Boolean.TRUE.equals(server.getGrpc());
  }

  /** The container's ports: HTTP always (probes and /metrics use it), gRPC when asked for. */
  private static List<io.fabric8.kubernetes.api.model.ContainerPort> ports(ServerSettings server) {
    List<io.fabric8.kubernetes.api.model.ContainerPort> ports = new java.util.ArrayList<>();
    ports.add(new ContainerPortBuilder().withName(PORT_NAME).withContainerPort(PORT).build());
    if (servesGrpc(server)) {
      ports.add(new ContainerPortBuilder().withName(GRPC_PORT_NAME).withContainerPort(GRPC_PORT).build());
    }
    return ports;
  }

  /** The CRD's default, for a ModelDeployment that did not pass through the API server's defaulting. */
  private static <T> T or(T value, T crdDefault) {
    return value != null ? value : crdDefault;
  }

  private static Probe probe(String path, int periodSeconds, Integer failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath(path).withPort(new IntOrString(PORT_NAME)).endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private static final String SCRAPE = "prometheus.io/scrape";

  /** The pod's annotations: the full ModelVersion name (its label is cut to 63 characters) and how it is scraped. */
  private static Map<String, String> annotations(ServedVersion version, boolean podMonitor) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.MODEL_VERSION, version.name());
    if (podMonitor) {
      annotations.put(SCRAPE, "false");
    } else {
      annotations.putAll(scrapeAnnotations());
    }
    return annotations;
  }

  private static Map<String, String> scrapeAnnotations() {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(SCRAPE, "true");
    annotations.put("prometheus.io/port", String.valueOf(PORT));
    annotations.put("prometheus.io/path", METRICS_PATH);
    return annotations;
  }
}
