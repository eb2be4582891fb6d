package dev.flywheel.crds.modeldeployment;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flywheel.crds.common.Patterns;
import dev.flywheel.crds.common.SecretReference;
import java.util.Map;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import lombok.Data;

/** Where the served model's metrics are scraped and queried. */
@Data
public class Monitoring {
  @Size(max = 2048)
  @Pattern(Patterns.HTTP_URL)
  @JsonPropertyDescription("Prometheus to query for triggers and rollout analysis; default: the operator's configured Prometheus.")
  private String prometheusUrl;

  @Default("15s")
  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("How often Prometheus scrapes the model-server pods.")
  private String scrapeInterval;

  @JsonPropertyDescription("Secret with Prometheus credentials, in this namespace and labelled mlops.flywheel.dev/prometheus-credentials=true (its owner's consent to send it): key token (sent as a Bearer token), or keys username and password (basic auth). Referenced, never copied.")
  private SecretReference secretRef;

  @Size(max = 16)
  @JsonPropertyDescription("Extra HTTP headers sent with every Prometheus query, for example X-Scope-OrgID for Mimir or Cortex.")
  private Map<String, String> headers;

  @JsonPropertyDescription("Keep labelled production traffic (request features joined with their /v1/feedback labels) as CSV shards for retraining.")
  private Capture capture;
}
