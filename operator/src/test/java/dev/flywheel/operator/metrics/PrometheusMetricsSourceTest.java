package dev.flywheel.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.operator.OperatorSettings;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The operator's MetricsSource is a PrometheusClient with the configured timeouts. (The reconciler tests replace the
 * bean with a fake, so the producer is called here as the container would.)
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class PrometheusMetricsSourceTest {
  @Inject OperatorSettings settings;

  @Test
  void theBeanIsAPrometheusClientWithTheDefaultTimeouts() throws Exception {
    MetricsSource metrics = new MetricsSourceProducer().metricsSource(settings);
    assertThat(metrics).isInstanceOf(PrometheusClient.class);
    assertThat(settings.prometheus().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.prometheus().queryTimeout()).isEqualTo(Duration.ofSeconds(10));
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    assertThat(metrics.query(PrometheusEndpoint.of("http://127.0.0.1:" + port), "up").outcome()).isEqualTo(QueryResult.Outcome.UNREACHABLE);
  }
}
