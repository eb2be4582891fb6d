package dev.flywheel.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The running operator's /q/metrics over real HTTP: the bean's metrics under their listed names, and promtool's lint of the whole page. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class OperatorMetricsEndpointTest {
  private static final String NS = "telemetry";
  private static final String DEPLOYMENT = "endpoint-test";

  @Inject OperatorMetrics metrics;

  @TestHTTPResource("/q/metrics")
  URI endpoint;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void forget() {
    metrics.forget(NS, DEPLOYMENT);
  }

  private String scrape() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint).header("Accept", "text/plain").timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private void exercise() {
    metrics.reconciled("TrainingJob", OperatorMetrics.ERROR);
    metrics.trigger(NS, DEPLOYMENT, "drift", 0.42, true);
    metrics.retrain(NS, DEPLOYMENT, "drift", OperatorMetrics.FAILED);
    metrics.rollout(NS, DEPLOYMENT, OperatorMetrics.PROMOTED);
    metrics.promotionRefused(NS, DEPLOYMENT, "mustBeatCurrent");
    metrics.deploymentState(NS, DEPLOYMENT, true, false, true);
  }

  @Test
  void theBeansMetricsAreServedUnderTheirListedNames() throws Exception {
    exercise();
    String page = scrape();
    for (String name : MetricNames.ALL) {
      assertThat(page).contains("# TYPE " + name + " " + (name.endsWith("_total") ? "counter" : "gauge") + "\n");
    }
    assertThat(page)
        .contains("flywheel_trigger_value{deployment=\"endpoint-test\",namespace=\"telemetry\",trigger=\"drift\",} 0.42")
        .contains("flywheel_retrains_total{deployment=\"endpoint-test\",namespace=\"telemetry\",outcome=\"failed\",trigger=\"drift\",} 1.0")
        .contains("flywheel_deployment_metrics_available{deployment=\"endpoint-test\",namespace=\"telemetry\",} 1.0");
    assertThat(page).as("the Quarkus Operator SDK binds JOSDK's own Micrometer metrics as well (reconciliations_*, custom_resources)")
        .contains("# TYPE reconciliations_execution_duration_seconds histogram\n").contains("# TYPE custom_resources gauge\n");

    metrics.forget(NS, DEPLOYMENT);
    assertThat(scrape()).as("no series of a forgotten deployment").doesNotContain("deployment=\"endpoint-test\"");
  }

  /**
   * promtool parses the whole page; its lint finds nothing in Flywheel's families. (It does complain about
   * libraries' metrics — Netty, Vert.x and JOSDK gauges without help text, Micrometer's process_cpu_time_ns_total,
   * system_cpu_count — which are not ours to rename.)
   */
  @Test
  void promtoolParsesThePageAndFindsNothingToLintInFlywheelsMetrics() throws Exception {
    Promtool.assumeInstalled();
    exercise();
    String page = scrape();
    Promtool.Result whole = Promtool.checkMetrics(page);
    assertThat(whole.output()).as("the exposition parses").doesNotContain("error while linting").doesNotContain("parsing error");
    assertThat(whole.output().lines()).as("no lint problem in a flywheel_ metric").noneMatch(line -> line.startsWith("flywheel_"));

    String ours = page.lines().filter(line -> line.startsWith("flywheel_") || line.startsWith("# HELP flywheel_") || line.startsWith("# TYPE flywheel_"))
        .map(line -> line + "\n").collect(Collectors.joining());
    assertThat(ours).contains("# TYPE flywheel_operator_reconciles_total counter");
    Promtool.Result strict = Promtool.checkMetrics(ours);
    assertThat(strict.ok()).as("promtool check metrics of the flywheel_ families: %s", strict.output()).isTrue();
  }
}
