package dev.flywheel.operator.metrics;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;

/** Turns a failed HTTP exchange with Prometheus into an UNREACHABLE or QUERY_ERROR result with a one-line message. */
final class PrometheusFailures {
  private PrometheusFailures() {}

  /** {@code target} names the Prometheus (its base URL, which holds no credentials). */
  static QueryResult classify(Throwable failure, String target, Duration connectTimeout, Duration queryTimeout) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return QueryResult.unreachable("cannot reach Prometheus at " + target + ": unknown host");
      }
      if (t instanceof HttpConnectTimeoutException) {
        return QueryResult.unreachable("cannot reach Prometheus at " + target + ": no connection within " + seconds(connectTimeout));
      }
      if (t instanceof HttpTimeoutException) {
        return noAnswer(target, queryTimeout);
      }
      if (t instanceof NoRouteToHostException) {
        return QueryResult.unreachable("cannot reach Prometheus at " + target + ": no route to host");
      }
      if (t instanceof ConnectException && !(t.getCause() instanceof UnresolvedAddressException)) {
        String reason = t.getMessage() == null || t.getMessage().isBlank() ? "connection refused" : t.getMessage().strip();
        return QueryResult.unreachable("cannot reach Prometheus at " + target + ": " + reason.toLowerCase(Locale.ROOT));
      }
    }
    if (failure instanceof IOException) {
      return QueryResult.unreachable("cannot reach Prometheus at " + target + ": " + describe(failure));
    }
    return QueryResult.queryError("querying Prometheus at " + target + " failed: " + describe(failure));
  }

  /** The query timeout passed before the whole answer arrived. */
  static QueryResult noAnswer(String target, Duration queryTimeout) {
    return QueryResult.unreachable("Prometheus at " + target + " did not answer within " + seconds(queryTimeout));
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : " (" + message + ")");
  }

  private static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }
}
