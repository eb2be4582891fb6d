package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** PromQlNames finds the metrics of the kinds of query the dashboard uses, and nothing else. */
class PromQlNamesTest {
  @Test
  void namesInsideFunctionsAggregationsAndArithmetic() {
    assertThat(PromQlNames.of("histogram_quantile(0.99, sum by (version, le) (rate(flywheel_request_duration_seconds_bucket{namespace=\"$namespace\", "
        + "model=\"$model\"}[$__rate_interval])))")).containsExactly("flywheel_request_duration_seconds_bucket");
    assertThat(PromQlNames.of("1 - max by (deployment) (flywheel_deployment_degraded{deployment=~\"$deployment\"})"))
        .containsExactly("flywheel_deployment_degraded");
    assertThat(PromQlNames.of("a_total / on (job) group_left (version) b_info > bool 0.5 or absent(c) offset 5m"))
        .containsExactly("a_total", "b_info", "c");
  }

  @Test
  void labelNamesStringsAndVariablesAreNotMetrics() {
    assertThat(PromQlNames.of("sum without (pod) (x{outcome=\"rate(y)\", le=~'0.5|1'})")).containsExactly("x");
    assertThat(PromQlNames.of("count by (version) (flywheel_model_info{namespace=\"${namespace}\"})")).containsExactly("flywheel_model_info");
  }
}
