package dev.flywheel.e2e.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where an end-to-end test runs Flywheel: the sandbox on this machine ({@link SandboxCluster}: the in-process API, the
 * local node, a real Prometheus and the operator's production jar), or a real cluster with Flywheel installed
 * ({@link RealCluster}, chosen by {@code FLYWHEEL_E2E_KUBECONFIG}). A test acts only through this interface and the
 * Kubernetes API, so the same test proves the same thing in both places.
 */
public interface FlywheelCluster extends AutoCloseable {
  /** Opens the cluster this run was given: a real one when FLYWHEEL_E2E_KUBECONFIG is set, else a new sandbox. */
  static FlywheelCluster open(String testName, String... namespaces) throws Exception {
    return RealCluster.configured() ? RealCluster.open(namespaces) : SandboxCluster.start(testName, namespaces);
  }

  /** A client of the cluster's API, with the test's rights (it creates Sites, namespaces and Flywheel resources). */
  KubernetesClient client();

  /** A kubeconfig file for this cluster, for the real kubectl. */
  Path kubeconfig();

  /** Prometheus' base URL as the test reaches it (the same server the operator's triggers and analysis query). */
  String prometheusUrl();

  /**
   * Writes a file into a namespace's PersistentVolumeClaim, where {@code pvc://claim/path} reads it (the claim is
   * created when missing). Data for a TrainingJob, a holdout set, a corrupted dataset.
   */
  void writeToClaim(String namespace, String claim, String path, byte[] content) throws Exception;

  /** A URL on this machine that reaches one port of a Service while it has a ready endpoint; empty until then. */
  Optional<URI> serviceUrl(String namespace, String service, int port) throws Exception;

  /** Stops the Prometheus the operator queries (its URL then refuses connections), until {@link #startPrometheus()}. */
  void stopPrometheus() throws Exception;

  /** Starts that Prometheus again, with what it had stored, on the same URL. */
  void startPrometheus() throws Exception;

  /**
   * Kills the operator without warning (SIGKILL: no shutdown hook, nothing flushed) and lets the next one start, as a
   * node failure would; returns once the new operator is ready (its readiness probe answers).
   */
  void killOperator() throws Exception;

  /** Where this cluster's logs are, for a failing test's message. */
  String logs();

  /** Stops what the test started (the whole sandbox; in a real cluster, the test's namespaces). */
  @Override
  void close();
}
