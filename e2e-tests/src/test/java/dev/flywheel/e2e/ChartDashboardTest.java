package dev.flywheel.e2e;

import static dev.flywheel.e2e.ChartRendering.CHART;
import static dev.flywheel.e2e.ChartRendering.ofKind;
import static dev.flywheel.e2e.ChartRendering.render;
import static dev.flywheel.e2e.ChartRendering.template;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.operator.telemetry.MetricNames;
import dev.flywheel.operator.telemetry.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard (helm/flywheel/dashboards/flywheel.json) and the ConfigMap that carries it to the Grafana
 * sidecar: the JSON parses, has the namespace and model variables, every query is PromQL that promtool parses, and
 * every query names only metrics that exist — the model server's and the operator's.
 */
class ChartDashboardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path DASHBOARD = CHART.resolve("dashboards/flywheel.json");
  private static final Path SERVER_METRICS = RepoPaths.root().resolve("model-server/src/main/java/dev/flywheel/model/serve/ServerMetrics.java");

  /**
   * The model server's metric families as Prometheus scrapes them, every one labelled model and version. Kept here
   * because ServerMetrics is package-private in a module these tests link without its classes' dependencies;
   * {@link #theModelServerListIsWhatServerMetricsRegisters} fails when the two drift apart.
   */
  private static final Set<String> MODEL_SERVER = Set.of(
      "flywheel_requests_total", "flywheel_request_errors_total", "flywheel_inference_rows_total", "flywheel_feedback_total",
      "flywheel_feature_drift_psi", "flywheel_prediction_drift_psi", "flywheel_prediction_mean", "flywheel_drift_window_rows",
      "flywheel_online_accuracy", "flywheel_online_mae", "flywheel_feedback_window_rows", "flywheel_in_flight_requests", "flywheel_model_info",
      "flywheel_capture_rows_total", "flywheel_capture_pending_rows", "flywheel_capture_shards_total");
  /** Its histograms, scraped as _bucket, _sum and _count series. */
  private static final Set<String> MODEL_SERVER_HISTOGRAMS = Set.of("flywheel_request_duration_seconds", "flywheel_batch_size_rows");
  /** What the issue asks the dashboard to show, by the metric that shows it. */
  private static final Set<String> SHOWN = Set.of("flywheel_requests_total", "flywheel_request_duration_seconds_bucket", "flywheel_feature_drift_psi",
      "flywheel_prediction_drift_psi", "flywheel_online_accuracy", "flywheel_model_info", MetricNames.RETRAINS, MetricNames.ROLLOUTS,
      MetricNames.TRIGGER_VALUE);
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*\\w+\\)");

  @TempDir Path dir;

  /** Every series name a query may select: the model server's (histograms as their series) and the operator's (MetricNames). */
  private static Set<String> known() {
    Set<String> known = new TreeSet<>(MODEL_SERVER);
    MODEL_SERVER_HISTOGRAMS.forEach(h -> Stream.of("_bucket", "_sum", "_count").forEach(s -> known.add(h + s)));
    known.addAll(MetricNames.ALL);
    return known;
  }

  private static JsonNode dashboard() throws Exception {
    return JSON.readTree(DASHBOARD.toFile());
  }

  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  /** Every PromQL query: panel targets, and the selectors of the variables' label_values(). */
  private static Map<String, String> queries(JsonNode dashboard) {
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        queries.put(panel.path("title").asText() + " " + target.path("refId").asText(), target.path("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if ("query".equals(variable.path("type").asText())) {
        Matcher m = LABEL_VALUES.matcher(variable.at("/query/query").asText());
        assertThat(m.matches()).as("variable %s is label_values(selector, label)", variable.path("name").asText()).isTrue();
        queries.put("variable " + variable.path("name").asText(), m.group(1));
      }
    }
    return queries;
  }

  @Test
  void thereIsNoDashboardByDefault() throws Exception {
    assertThat(ofKind(render(template()), "ConfigMap")).isEmpty();
  }

  @Test
  void theConfigMapCarriesTheSidecarLabelAndTheDashboard() throws Exception {
    JsonNode map = ofKind(render(template().set("dashboard.enabled", true)), "ConfigMap").get(0);
    assertThat(map.at("/metadata/name").asText()).isEqualTo("flywheel-dashboard");
    assertThat(map.at("/metadata/namespace").asText()).isEqualTo("flywheel-system");
    assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
    assertThat(JSON.readTree(map.at("/data/flywheel.json").asText())).as("the file, unchanged").isEqualTo(dashboard());

    JsonNode elsewhere = ofKind(render(template().set("dashboard.enabled", true).set("dashboard.namespace", "monitoring")
        .set("dashboard.annotations.grafana_folder", "Flywheel")), "ConfigMap").get(0);
    assertThat(elsewhere.at("/metadata/namespace").asText()).isEqualTo("monitoring");
    assertThat(elsewhere.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Flywheel");
    assertThat(elsewhere.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
  }

  @Test
  void theDashboardIsPerModelAndQueriesTheChosenPrometheus() throws Exception {
    JsonNode dashboard = dashboard();
    assertThat(dashboard.path("uid").asText()).isEqualTo("flywheel-models");
    List<String> variables = new ArrayList<>();
    dashboard.at("/templating/list").forEach(v -> variables.add(v.path("name").asText()));
    assertThat(variables).containsSubsequence("datasource", "namespace", "model");
    List<JsonNode> graphs = panels(dashboard).stream().filter(p -> !"row".equals(p.path("type").asText())).toList();
    assertThat(graphs).hasSizeGreaterThanOrEqualTo(9).allSatisfy(panel -> {
      assertThat(panel.at("/datasource/uid").asText()).as(panel.path("title").asText()).isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty()
          .allSatisfy(t -> assertThat(t.path("expr").asText()).isNotBlank());
    });
    Set<Integer> ids = new TreeSet<>();
    panels(dashboard).forEach(p -> assertThat(ids.add(p.path("id").asInt())).as("panel ids are unique").isTrue());
  }

  @Test
  void everyQueryNamesOnlyMetricsThatExistAndShowsWhatWasAsked() throws Exception {
    Set<String> known = known();
    Set<String> used = new TreeSet<>();
    queries(dashboard()).forEach((where, promql) -> {
      Set<String> names = PromQlNames.of(promql);
      assertThat(names).as("%s: %s", where, promql).isNotEmpty().isSubsetOf(known);
      used.addAll(names);
    });
    assertThat(used).containsAll(SHOWN);
  }

  @Test
  void theModelServerListIsWhatServerMetricsRegisters() throws Exception {
    String source = Files.readString(SERVER_METRICS);
    Set<String> registered = new TreeSet<>();
    Matcher m = Pattern.compile("\"(flywheel_[a-z_]+)\"").matcher(source);
    while (m.find()) {
      registered.add(m.group(1));
    }
    Set<String> listed = new TreeSet<>(MODEL_SERVER);
    listed.addAll(MODEL_SERVER_HISTOGRAMS);
    assertThat(registered).isEqualTo(listed);
  }

  @Test
  void promtoolParsesEveryQuery() throws Exception {
    Promtool.assumeInstalled();
    List<Map<String, String>> rules = new ArrayList<>();
    int i = 0;
    for (String promql : queries(dashboard()).values()) {
      String concrete = promql.replace("$__rate_interval", "5m").replace("$namespace", "ml").replace("$model", "churn").replace("$deployment", ".*");
      assertThat(concrete).as("every Grafana variable is replaced").doesNotContain("$");
      rules.add(Map.of("record", "flywheel:dashboard_query_" + i++, "expr", concrete));
    }
    Path file = dir.resolve("dashboard-queries.yaml");
    YAML.writeValue(file.toFile(), Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules))));
    Promtool.Result result = Promtool.checkRules(file);
    assertThat(result.ok()).as("promtool check rules: %s", result.output()).isTrue();
  }
}
