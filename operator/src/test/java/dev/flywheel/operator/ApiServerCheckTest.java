package dev.flywheel.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The operator's start-up check: a reachable API server passes, an unreachable one gives one line naming it. */
class ApiServerCheckTest {
  @Test
  void anApiServerThatAnswersPassesEvenWhenItRefusesTheRequest() throws Exception {
    HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    api.createContext("/version", exchange -> {
      exchange.sendResponseHeaders(403, -1);
      exchange.close();
    });
    api.start();
    try (KubernetesClient client = clientFor("http://127.0.0.1:" + api.getAddress().getPort())) {
      assertThat(ApiServerCheck.unreachableReason(client, Duration.ofSeconds(5))).isEmpty();
    } finally {
      api.stop(0);
    }
  }

  @Test
  void aClosedPortIsOneLineNamingTheServerAndTheCause() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    String server = "https://127.0.0.1:" + closed;
    try (KubernetesClient client = clientFor(server)) {
      String reason = ApiServerCheck.unreachableReason(client, Duration.ofSeconds(5)).orElseThrow();
      assertThat(reason)
          .startsWith("flywheel-operator: cannot reach the Kubernetes API server at " + server)
          .contains("connection refused")
          .contains("KUBECONFIG")
          .doesNotContain("\n");
    }
  }

  @Test
  void anUnknownHostIsNamedAtOnce() {
    String server = "https://flywheel-api.invalid:6443";
    try (KubernetesClient client = clientFor(server)) {
      long started = System.nanoTime();
      String reason = ApiServerCheck.unreachableReason(client, Duration.ofSeconds(30)).orElseThrow();
      assertThat(reason).startsWith("flywheel-operator: cannot reach the Kubernetes API server at " + server)
          .contains("unknown host flywheel-api.invalid");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
  }

  private static KubernetesClient clientFor(String server) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder().withMasterUrl(server).withRequestRetryBackoffLimit(0).build())
        .build();
  }
}
