package dev.flywheel.e2e;

import static dev.flywheel.e2e.ChartRendering.ofKind;
import static dev.flywheel.e2e.ChartRendering.render;
import static dev.flywheel.e2e.ChartRendering.template;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flywheel.operator.telemetry.MetricNames;
import dev.flywheel.operator.telemetry.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's optional PrometheusRule: absent by default; when enabled, four alerts on the operator's metrics that
 * promtool accepts ({@code check rules} on the rendered spec) and that fire — with their labels and annotations
 * rendered — on the series OperatorMetrics exports, and stay quiet on healthy ones ({@code test rules}).
 */
class ChartAlertsTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String SERIES = "{namespace=\"ml\",deployment=\"churn\"}";

  @TempDir Path dir;

  private static JsonNode rule() throws Exception {
    return ofKind(render(template().set("prometheusRule.enabled", true)), "PrometheusRule").get(0);
  }

  private static Map<String, JsonNode> alerts(JsonNode rule) {
    Map<String, JsonNode> alerts = new LinkedHashMap<>();
    for (JsonNode group : rule.at("/spec/groups")) {
      for (JsonNode alert : group.path("rules")) {
        alerts.put(alert.path("alert").asText(), alert);
      }
    }
    return alerts;
  }

  /** What Prometheus makes of an annotation for the series of namespace ml, deployment churn, trigger drift, value 1. */
  private static String rendered(String annotation) {
    return annotation.replace("{{ $labels.namespace }}", "ml").replace("{{ $labels.deployment }}", "churn")
        .replace("{{ $labels.trigger }}", "drift").replace("{{ $value | humanize }}", "1");
  }

  @Test
  void thereIsNoPrometheusRuleByDefault() throws Exception {
    assertThat(ofKind(render(template()), "PrometheusRule")).isEmpty();
  }

  @Test
  void theFourAlertsWatchTheOperatorsMetricsAndNameTheDeployment() throws Exception {
    JsonNode rule = rule();
    assertThat(rule.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.at("/metadata/namespace").asText()).isEqualTo("flywheel-system");
    Map<String, JsonNode> alerts = alerts(rule);
    assertThat(alerts.keySet()).containsExactly("FlywheelDeploymentDegraded", "FlywheelRetrainFailing", "FlywheelMetricsUnavailable", "FlywheelRolledBack");
    assertThat(alerts).extractingFromEntries(e -> e.getKey() + ": " + e.getValue().path("expr").asText() + " for " + e.getValue().path("for").asText("-"))
        .containsExactly(
            "FlywheelDeploymentDegraded: flywheel_deployment_degraded == 1 for 5m",
            "FlywheelRetrainFailing: increase(flywheel_retrains_total{outcome=\"failed\"}[6h]) > 0 for -",
            "FlywheelMetricsUnavailable: flywheel_deployment_metrics_available == 0 for 30m",
            "FlywheelRolledBack: increase(flywheel_rollouts_total{outcome=\"rolled_back\"}[1h]) > 0 for -");
    assertThat(alerts.values()).extracting(a -> a.at("/labels/severity").asText()).containsExactly("warning", "warning", "warning", "info");
    for (JsonNode alert : alerts.values()) {
      assertThat(PromQlNames.of(alert.path("expr").asText())).as("an operator metric").isSubsetOf(MetricNames.ALL);
      for (String annotation : List.of("summary", "description")) {
        assertThat(alert.at("/annotations/" + annotation).asText()).as("%s %s", alert.path("alert").asText(), annotation)
            .contains("{{ $labels.namespace }}/{{ $labels.deployment }}");
      }
    }
  }

  @Test
  void severityNamespaceAndLabelsAreValues() throws Exception {
    JsonNode rule = ofKind(render(template().set("prometheusRule.enabled", true).set("prometheusRule.namespace", "monitoring")
        .set("prometheusRule.labels.release", "kube-prometheus-stack").set("prometheusRule.severity.rolledBack", "critical")), "PrometheusRule").get(0);
    assertThat(rule.at("/metadata/namespace").asText()).isEqualTo("monitoring");
    assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
    assertThat(rule.at("/metadata/labels/app.kubernetes.io~1part-of").asText()).isEqualTo("flywheel");
    assertThat(alerts(rule).get("FlywheelRolledBack").at("/labels/severity").asText()).isEqualTo("critical");
    assertThatThrownBy(() -> template().set("prometheusRule.enabled", "yes").call()).hasMessageContaining("prometheusRule");
    assertThatThrownBy(() -> template().set("prometheusRule.severity.rolledBak", "info").call()).hasMessageContaining("rolledBak");
  }

  @Test
  void theServiceMonitorKeepsTheNamespaceTheAlertsName() throws Exception {
    JsonNode monitor = ofKind(render(template().set("metrics.serviceMonitor.enabled", true)), "ServiceMonitor").get(0);
    assertThat(monitor.at("/spec/endpoints/0/honorLabels").asBoolean())
        .as("else Prometheus renames the metrics' namespace label to exported_namespace").isTrue();
  }

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    Promtool.assumeInstalled();
    Path rules = dir.resolve("flywheel-rules.yaml");
    YAML.writeValue(rules.toFile(), rule().path("spec"));
    Promtool.Result result = Promtool.checkRules(rules);
    assertThat(result.ok()).as("promtool check rules: %s", result.output()).isTrue();
    assertThat(result.output()).contains("SUCCESS: 4 rules found");
  }

  @Test
  void theAlertsFireOnTheOperatorsSeriesAndNotOnHealthyOnes() throws Exception {
    Promtool.assumeInstalled();
    JsonNode rule = rule();
    YAML.writeValue(dir.resolve("flywheel-rules.yaml").toFile(), rule.path("spec"));
    Map<String, JsonNode> alerts = alerts(rule);

    List<Object> tests = new ArrayList<>();
    // Degraded from minute 1: pending for 5 minutes, firing from minute 6.
    tests.add(test(List.of(series(MetricNames.DEPLOYMENT_DEGRADED + SERIES, "0 1x10")),
        quiet("FlywheelDeploymentDegraded", "5m"), firing(alerts.get("FlywheelDeploymentDegraded"), "7m", Map.of())));
    // Metrics unavailable for 30 minutes.
    tests.add(test(List.of(series(MetricNames.DEPLOYMENT_METRICS_AVAILABLE + SERIES, "0x40")),
        quiet("FlywheelMetricsUnavailable", "29m"), firing(alerts.get("FlywheelMetricsUnavailable"), "31m", Map.of())));
    // A failed retrain: the counter OperatorMetrics created at 0 when the retrain started goes to 1.
    String failed = MetricNames.RETRAINS + "{namespace=\"ml\",deployment=\"churn\",trigger=\"drift\",outcome=\"failed\"}";
    tests.add(test(List.of(series(failed, "0 0 0 1x10")),
        quiet("FlywheelRetrainFailing", "2m"), firing(alerts.get("FlywheelRetrainFailing"), "10m", Map.of("trigger", "drift", "outcome", "failed"))));
    // A rollback, then an hour later it is no longer news.
    String rolledBack = MetricNames.ROLLOUTS + "{namespace=\"ml\",deployment=\"churn\",outcome=\"rolled_back\"}";
    tests.add(test(List.of(series(rolledBack, "0 0 1x90")),
        firing(alerts.get("FlywheelRolledBack"), "5m", Map.of("outcome", "rolled_back")), quiet("FlywheelRolledBack", "80m")));
    // Healthy: nothing fires.
    tests.add(test(List.of(series(MetricNames.DEPLOYMENT_DEGRADED + SERIES, "0x60"), series(MetricNames.DEPLOYMENT_METRICS_AVAILABLE + SERIES, "1x60"),
            series(failed.replace("failed", "promoted"), "0 1x59"), series(failed, "0x60"), series(rolledBack, "0x60")),
        quiet("FlywheelDeploymentDegraded", "60m"), quiet("FlywheelMetricsUnavailable", "60m"), quiet("FlywheelRetrainFailing", "60m"),
        quiet("FlywheelRolledBack", "60m")));
    // Why OperatorMetrics starts counters at 0: a series that first appears at 1 shows no increase, and nothing fires.
    tests.add(test(List.of(series(rolledBack, "_ _ 1x10")), quiet("FlywheelRolledBack", "5m")));

    Map<String, Object> file = new LinkedHashMap<>();
    file.put("rule_files", List.of("flywheel-rules.yaml"));
    file.put("evaluation_interval", "1m");
    file.put("tests", tests);
    Path unitTests = dir.resolve("flywheel-rules-test.yaml");
    YAML.writeValue(unitTests.toFile(), file);
    Promtool.Result result = Promtool.testRules(unitTests);
    assertThat(result.ok()).as("promtool test rules:\n%s\n%s", result.output(), Files.readString(unitTests)).isTrue();
  }

  private static Map<String, Object> series(String series, String values) {
    return Map.of("series", series, "values", values);
  }

  @SafeVarargs
  private static Map<String, Object> test(List<Map<String, Object>> input, Map<String, Object>... checks) {
    Map<String, Object> test = new LinkedHashMap<>();
    test.put("interval", "1m");
    test.put("input_series", input);
    test.put("alert_rule_test", List.of(checks));
    return test;
  }

  private static Map<String, Object> quiet(String alert, String at) {
    return Map.of("eval_time", at, "alertname", alert, "exp_alerts", List.of());
  }

  private static Map<String, Object> firing(JsonNode alert, String at, Map<String, String> moreLabels) {
    Map<String, String> labels = new LinkedHashMap<>(Map.of("namespace", "ml", "deployment", "churn", "severity", alert.at("/labels/severity").asText()));
    labels.putAll(moreLabels);
    Map<String, String> annotations = Map.of("summary", rendered(alert.at("/annotations/summary").asText()),
        "description", rendered(alert.at("/annotations/description").asText()));
    return Map.of("eval_time", at, "alertname", alert.path("alert").asText(), "exp_alerts", List.of(Map.of("exp_labels", labels, "exp_annotations", annotations)));
  }
}
