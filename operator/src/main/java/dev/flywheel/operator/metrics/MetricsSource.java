package dev.flywheel.operator.metrics;

/** Where canary analysis and retraining triggers get their numbers: one PromQL query, one {@link QueryResult}. */
public interface MetricsSource {
  /**
   * Runs an instant query. Implementations never throw for an unreachable or erroring Prometheus: that is the
   * result's outcome.
   */
  QueryResult query(PrometheusEndpoint endpoint, String promql);
}
