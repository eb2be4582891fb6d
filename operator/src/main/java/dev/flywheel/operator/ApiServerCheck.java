package dev.flywheel.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops the operator before its informers start, with one line saying why and exit code 1, when the Kubernetes API
 * server does not answer: without it the informers fail one by one and the user gets hundreds of lines of stack traces.
 */
@ApplicationScoped
public class ApiServerCheck {
  /** The longest wait for the API server's first answer. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Inject KubernetesClient client;

  /** Runs before the Operator SDK starts the controllers (its start-up observer has priority 3123). */
  void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION) StartupEvent event) {
    unreachableReason(client, TIMEOUT).ifPresent(reason -> {
      // Quarkus prints the message of a ConfigurationException alone (no stack trace) and exits with 1.
      throw new ConfigurationException(reason);
    });
  }

  /**
   * Empty when the API server's host resolves and it answers {@code GET /version} with any HTTP status (even 401 or
   * 403: it is there); otherwise the one-line reason the operator cannot start.
   */
  static Optional<String> unreachableReason(KubernetesClient client, Duration timeout) {
    String server = client.getMasterUrl().toString();
    try {
      // The system resolver answers "unknown host" at once where the HTTP client's own resolver retries for ~20 s.
      InetAddress.getAllByName(client.getMasterUrl().getHost());
      HttpClient http = client.getHttpClient();
      HttpRequest request = http.newHttpRequestBuilder().uri(URI.create(server).resolve("/version")).build();
      http.sendAsync(request, String.class).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(reason(server, "interrupted while connecting"));
    } catch (TimeoutException e) {
      return Optional.of(reason(server, "no answer within " + timeout.toSeconds() + "s"));
    } catch (ExecutionException | IOException | RuntimeException e) {
      return Optional.of(reason(server, describe(e)));
    }
  }

  private static String reason(String server, String why) {
    return "flywheel-operator: cannot reach the Kubernetes API server at " + server + " (" + why
        + "); run the operator in a cluster, or point KUBECONFIG at one";
  }

  private static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : root.getMessage().replaceAll("\\s+", " ").strip();
    if (root instanceof UnknownHostException) {
      return "unknown host " + message;
    }
    if (root instanceof ConnectException) {
      return "connection refused" + (message.isEmpty() ? "" : ": " + message);
    }
    return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }
}
