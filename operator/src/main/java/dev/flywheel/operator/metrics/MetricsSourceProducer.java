package dev.flywheel.operator.metrics;

import dev.flywheel.operator.OperatorSettings;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the operator's one {@link MetricsSource}: a {@link PrometheusClient} with the configured timeouts. */
public class MetricsSourceProducer {
  @Produces
  @Singleton
  MetricsSource metricsSource(OperatorSettings settings) {
    OperatorSettings.Prometheus prometheus = settings.prometheus();
    return new PrometheusClient(prometheus.connectTimeout(), prometheus.queryTimeout());
  }
}
