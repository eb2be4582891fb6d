package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One run of a probe against a local container, as the kubelet does it: httpGet (success: a status from 200 to 399
 * within timeoutSeconds) on the probe's port by name or number, remapped to the local port, host 127.0.0.1; tcpSocket
 * (the port accepts a connection). An exec or gRPC probe is not run here and counts as a success.
 */
final class ProbeCheck {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(1))
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  private ProbeCheck() {}

  static boolean run(Probe probe, Container container, PortMap ports) {
    Duration timeout = Duration.ofSeconds(probe.getTimeoutSeconds() == null ? 1 : Math.max(1, probe.getTimeoutSeconds()));
    try {
      if (probe.getHttpGet() != null) {
        int port = ports.local(container, probe.getHttpGet().getPort()).orElse(-1);
        String path = probe.getHttpGet().getPath() == null ? "/" : probe.getHttpGet().getPath();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + (path.startsWith("/") ? path : "/" + path)))
            .timeout(timeout).GET();
        if (probe.getHttpGet().getHttpHeaders() != null) {
          probe.getHttpGet().getHttpHeaders().forEach(header -> request.header(header.getName(), header.getValue()));
        }
        int status = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        return status >= 200 && status < 400;
      }
      if (probe.getTcpSocket() != null) {
        int port = ports.local(container, probe.getTcpSocket().getPort()).orElse(-1);
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
          return true;
        }
      }
      return true;
    } catch (IOException | IllegalArgumentException failed) {
      return false;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
