package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.AnalysisQuery;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.operator.OperatorSettings;
import dev.flywheel.operator.metrics.AnalysisJudge;
import dev.flywheel.operator.metrics.MetricsSource;
import dev.flywheel.operator.metrics.PrometheusEndpoint;
import dev.flywheel.operator.metrics.QueryResult;
import dev.flywheel.operator.metrics.QueryTemplate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one measurement round of a canary's analysis queries against the deployment's Prometheus, with
 * {{model}}, {{version}}, {{namespace}} and {{deployment}} filled in, and says whether metrics were available.
 */
@ApplicationScoped
public class AnalysisRunner {
  /** The measurements of a round, and why metrics were unavailable when they were (reason, message). */
  public record Round(List<AnalysisMeasurement> measurements, Optional<String> unavailableReason, String message) {}

  @Inject
  MetricsSource metrics;

  @Inject
  OperatorSettings settings;

  public Round measure(KubernetesClient client, ModelDeployment deployment, ModelVersion version, Instant now) {
    List<AnalysisQuery> queries = deployment.getSpec().getRollout().getAnalysis();
    PrometheusEndpoint endpoint;
    try {
      endpoint = PrometheusEndpoints.of(client, deployment, settings);
    } catch (IllegalArgumentException | KubernetesClientException e) {
      String message = e instanceof KubernetesClientException k ? "cannot read the Prometheus credentials Secret: HTTP " + k.getCode() : e.getMessage();
      QueryResult unavailable = QueryResult.queryError(message);
      return new Round(queries.stream().map(q -> AnalysisJudge.measure(q, unavailable, now)).toList(), Optional.of("CredentialsUnavailable"), message);
    }
    Map<String, String> values = QueryTemplate.placeholders(deployment, version.getMetadata().getName());
    List<AnalysisMeasurement> measurements = new java.util.ArrayList<>();
    Optional<String> unavailable = Optional.empty();
    String message = "every analysis query answered";
    for (AnalysisQuery query : queries) {
      QueryResult result;
      try {
        result = metrics.query(endpoint, QueryTemplate.fill(query.getQuery(), values));
      } catch (IllegalArgumentException e) {
        result = QueryResult.queryError(e.getMessage());
      }
      if (!result.available() && unavailable.isEmpty()) {
        unavailable = Optional.of(unavailableReason(result.outcome()));
        message = query.getName() + ": " + result.message();
      }
      measurements.add(AnalysisJudge.measure(query, result, now));
    }
    return new Round(measurements, unavailable, message);
  }

  /** The MetricsAvailable=False reason for a query that gave no number. */
  public static String unavailableReason(QueryResult.Outcome outcome) {
    return switch (outcome) {
      case UNREACHABLE -> "PrometheusUnreachable";
      case NO_DATA -> "NoData";
      case NOT_A_NUMBER -> "NotANumber";
      default -> "QueryError";
    };
  }
}
