package dev.flywheel.operator.serving;

import dev.flywheel.operator.metrics.MetricsSource;
import dev.flywheel.operator.metrics.PrometheusEndpoint;
import dev.flywheel.operator.metrics.QueryResult;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The metrics source of the reconciler tests: answers each query by the version it names (the reconciler fills
 * {{version}} in), so a test says "churn-v3 answers errors" or "Prometheus has no data"; records every query.
 */
@Alternative
@Priority(1)
@Singleton
public class FakeMetricsSource implements MetricsSource {
  private final Map<String, QueryResult> byVersion = new ConcurrentHashMap<>();
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private volatile QueryResult otherwise = QueryResult.value(0.001);

  public void answer(String version, QueryResult result) {
    byVersion.put(version, result);
  }

  public void reset() {
    byVersion.clear();
    queries.clear();
    otherwise = QueryResult.value(0.001);
  }

  public List<String> queries() {
    return queries;
  }

  @Override
  public QueryResult query(PrometheusEndpoint endpoint, String promql) {
    queries.add(promql);
    return byVersion.entrySet().stream().filter(e -> promql.contains("\"" + e.getKey() + "\"")).map(Map.Entry::getValue).findFirst().orElse(otherwise);
  }
}
