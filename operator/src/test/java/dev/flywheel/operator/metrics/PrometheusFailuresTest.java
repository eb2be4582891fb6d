package dev.flywheel.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.operator.metrics.QueryResult.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Network failures the HTTP client reports, as one-line results (these need no network to reproduce). */
class PrometheusFailuresTest {
  private static final String AT = "http://prometheus:9090";

  private static QueryResult classify(Throwable failure) {
    return PrometheusFailures.classify(failure, AT, Duration.ofSeconds(2), Duration.ofMillis(10_000));
  }

  @Test
  void anUnknownHostIsUnreachable() {
    // What java.net.http reports for a name that does not resolve.
    ConnectException unresolved = new ConnectException();
    unresolved.initCause(new UnresolvedAddressException());
    assertThat(classify(unresolved)).isEqualTo(QueryResult.unreachable("cannot reach Prometheus at " + AT + ": unknown host"));
    assertThat(classify(new UnknownHostException("prometheus")).message()).endsWith("unknown host");
  }

  @Test
  void timeoutsAreUnreachableWithTheirLimit() {
    assertThat(classify(new HttpConnectTimeoutException("HTTP connect timed out")).message())
        .isEqualTo("cannot reach Prometheus at " + AT + ": no connection within 2s");
    assertThat(classify(new HttpTimeoutException("request timed out")).message())
        .isEqualTo("Prometheus at " + AT + " did not answer within 10s");
  }

  @Test
  void refusedAndOtherIoFailuresAreUnreachable() {
    assertThat(classify(new ConnectException()).message()).endsWith(": connection refused");
    assertThat(classify(new ConnectException("Connection refused")).message()).endsWith(": connection refused");
    QueryResult reset = classify(new IOException("Connection reset"));
    assertThat(reset.outcome()).isEqualTo(Outcome.UNREACHABLE);
    assertThat(reset.message()).isEqualTo("cannot reach Prometheus at " + AT + ": IOException (Connection reset)");
  }

  @Test
  void anythingElseIsAQueryErrorNotAnException() {
    QueryResult result = classify(new IllegalStateException("boom\nsecond line"));
    assertThat(result.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(result.message()).doesNotContain("\n");
  }
}
