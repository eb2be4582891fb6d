package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modeldeployment.Monitoring;
import dev.flywheel.operator.OperatorSettings;
import dev.flywheel.operator.metrics.PrometheusEndpoint;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The Prometheus a ModelDeployment is judged by — its monitoring.prometheusUrl or the operator's — with its extra
 * headers and the credentials of the Secret it references — only one labelled as Prometheus credentials — read when
 * a query runs and never copied.
 */
public final class PrometheusEndpoints {
  /** The label a Secret must carry to be sent to a Prometheus: its owner's consent. */
  public static final String CREDENTIALS_LABEL = "mlops.flywheel.dev/prometheus-credentials";

  private PrometheusEndpoints() {}

  /** @throws IllegalArgumentException with a one-line reason when the Secret is missing or has the wrong keys */
  public static PrometheusEndpoint of(KubernetesClient client, ModelDeployment deployment, OperatorSettings settings) {
    Monitoring monitoring = deployment.getSpec().getMonitoring() != null ? deployment.getSpec().getMonitoring() : new Monitoring();
    String url = monitoring.getPrometheusUrl() != null ? monitoring.getPrometheusUrl() : settings.prometheus().url();
    Map<String, String> headers = monitoring.getHeaders() != null ? monitoring.getHeaders() : Map.of();
    Map<String, String> secretData = Map.of();
    if (monitoring.getSecretRef() != null) {
      String name = monitoring.getSecretRef().getName();
      Secret secret = client.secrets().inNamespace(deployment.getMetadata().getNamespace()).withName(name).get();
      if (secret == null) {
        throw new IllegalArgumentException("the Prometheus credentials Secret " + name + " does not exist");
      }
      Map<String, String> labels = secret.getMetadata().getLabels() == null ? Map.of() : secret.getMetadata().getLabels();
      if (!"true".equals(labels.get(CREDENTIALS_LABEL))) {
        // Without the owner's consent a ModelDeployment could make the operator send any Secret to a URL of its choice.
        throw new IllegalArgumentException("the Secret " + name + " is not labelled " + CREDENTIALS_LABEL + "=true, so it is not used as Prometheus credentials");
      }
      secretData = decoded(secret);
    }
    return PrometheusEndpoint.from(url, headers, secretData);
  }

  private static Map<String, String> decoded(Secret secret) {
    Map<String, String> data = new HashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }
}
