package dev.flywheel.e2e.cluster;

import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.sandbox.SandboxEnvironment;
import dev.flywheel.sandbox.prometheus.LocalPrometheus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The end-to-end tests' cluster on this machine: a {@link SandboxEnvironment} under
 * {@code e2e-tests/target/e2e/<test>/} (kept after the run for its logs), whose local node runs the pods of the
 * test's namespaces. Needs Prometheus installed (skipped with the command to install it otherwise).
 */
public final class SandboxCluster implements FlywheelCluster {
  private final SandboxEnvironment environment;

  private SandboxCluster(SandboxEnvironment environment) {
    this.environment = environment;
  }

  /** Starts a sandbox for one test class; pods run in {@code namespaces}. */
  public static SandboxCluster start(String testName, String... namespaces) throws Exception {
    Assumptions.assumeTrue(LocalPrometheus.installed(), "the end-to-end tests need Prometheus: apt-get install -y prometheus");
    Path repository = RepoPaths.root();
    Path directory = SandboxEnvironment.emptied(repository.resolve("e2e-tests/target/e2e").resolve(testName));
    return new SandboxCluster(SandboxEnvironment.start(repository, directory,
        SandboxEnvironment.Options.forNamespaces(namespaces)));
  }

  /** The sandbox itself, for what only this machine can show (the node's processes, the API's request counts). */
  public SandboxEnvironment environment() {
    return environment;
  }

  @Override
  public KubernetesClient client() {
    return environment.client();
  }

  @Override
  public Path kubeconfig() {
    return environment.kubeconfig();
  }

  @Override
  public String prometheusUrl() {
    return environment.prometheus().baseUrl();
  }

  @Override
  public void writeToClaim(String namespace, String claim, String path, byte[] content) throws IOException {
    environment.writeToClaim(namespace, claim, path, content);
  }

  @Override
  public Optional<URI> serviceUrl(String namespace, String service, int port) {
    return environment.serviceUrl(namespace, service, port);
  }

  @Override
  public void stopPrometheus() throws InterruptedException {
    environment.prometheus().stop();
  }

  @Override
  public void startPrometheus() throws Exception {
    environment.prometheus().restart();
    environment.prometheus().awaitReady(Duration.ofSeconds(30));
  }

  @Override
  public void killOperator() throws Exception {
    environment.operator().kill();
    environment.operator().start().awaitReady(Duration.ofMinutes(2)); // as RealCluster: the new pod is Ready
  }

  @Override
  public String logs() {
    return environment.directory().resolve("logs") + " and " + environment.directory().resolve("node/pods");
  }

  @Override
  public void close() {
    environment.close();
  }
}
