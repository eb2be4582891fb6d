package dev.flywheel.operator.common;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A second Kubernetes API (a standalone fabric8 mock server in CRUD mode on 127.0.0.1) playing a remote cluster,
 * and the kubeconfig Secret a Site references to reach it.
 */
public final class RemoteClusterFixture implements AutoCloseable {
  private final KubernetesMockServer server;
  private final KubernetesClient client;

  public RemoteClusterFixture() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false,
        new VersionInfo.Builder().withMajor("1").withMinor("31").build());
    server.init(InetAddress.getByName("127.0.0.1"), 0);
    client = server.createClient();
  }

  /** A client of the remote cluster, to look at what the operator did there. */
  public KubernetesClient client() {
    return client;
  }

  /** Stores a kubeconfig for this cluster in a Secret of the local cluster. */
  public void storeKubeconfig(KubernetesClient local, String namespace, String name) {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters: [{name: remote, cluster: {server: "%s"}}]
        users: [{name: flywheel, user: {token: remote-token}}]
        contexts: [{name: remote, context: {cluster: remote, user: flywheel}}]
        current-context: remote
        """.formatted(server.url("/").replaceAll("/$", ""));
    local.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .endMetadata().withStringData(Map.of("kubeconfig", kubeconfig)).build()).create();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
