package dev.flywheel.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placeholders of analysis queries: filled, escaped for PromQL strings, and unknown ones refused by name. */
class QueryTemplateTest {
  private static final Map<String, String> VALUES = Map.of(
      QueryTemplate.MODEL, "churn", QueryTemplate.VERSION, "churn-v2", QueryTemplate.NAMESPACE, "ml-churn", QueryTemplate.DEPLOYMENT, "churn");

  @Test
  void fillsTheExamplesErrorRateQuery() {
    String template = "sum(rate(flywheel_requests_total{model=\"{{model}}\",version=\"{{version}}\",outcome!=\"ok\"}[5m]))"
        + " / sum(rate(flywheel_requests_total{model=\"{{model}}\",version=\"{{version}}\"}[5m]))";
    assertThat(QueryTemplate.fill(template, VALUES)).isEqualTo(
        "sum(rate(flywheel_requests_total{model=\"churn\",version=\"churn-v2\",outcome!=\"ok\"}[5m]))"
            + " / sum(rate(flywheel_requests_total{model=\"churn\",version=\"churn-v2\"}[5m]))");
  }

  @Test
  void everyStandardKeyAndAnyKeyGivenIsFilled() {
    assertThat(QueryTemplate.fill("{{namespace}}/{{deployment}} {{ model }} {{site.name}}", Map.of(
        "namespace", "ns", "deployment", "d", "model", "m", "site.name", "dc1"))).isEqualTo("ns/d m dc1");
  }

  @Test
  void aQueryWithoutPlaceholdersIsUnchanged() {
    assertThat(QueryTemplate.fill("up{job=\"x\"} == 1 and {a=\"{b}\"}", Map.of())).isEqualTo("up{job=\"x\"} == 1 and {a=\"{b}\"}");
  }

  @Test
  void valuesAreEscapedForPromqlDoubleQuotedStrings() {
    assertThat(QueryTemplate.fill("x{version=\"{{version}}\"}", Map.of("version", "a\"} or vector(1) or x{y=\"")))
        .isEqualTo("x{version=\"a\\\"} or vector(1) or x{y=\\\"\"}");
    assertThat(QueryTemplate.fill("\"{{v}}\"", Map.of("v", "back\\slash"))).isEqualTo("\"back\\\\slash\"");
    assertThat(QueryTemplate.fill("\"{{v}}\"", Map.of("v", "two\nlines"))).isEqualTo("\"two\\nlines\"");
    assertThat(QueryTemplate.fill("\"{{v}}\"", Map.of("v", "$1 and \\$"))).isEqualTo("\"$1 and \\\\$\"");
  }

  @Test
  void aValueHoldingAPlaceholderIsNotFilledAgain() {
    assertThat(QueryTemplate.fill("{{model}}", Map.of("model", "{{version}}", "version", "v"))).isEqualTo("{{version}}");
  }

  @Test
  void unknownPlaceholdersAreRefusedByName() {
    assertThatThrownBy(() -> QueryTemplate.fill("x{a=\"{{model}}\",b=\"{{canary}}\",c=\"{{ site }}\",d=\"{{canary}}\"}", VALUES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the query has placeholders without a value: {{canary}}, {{site}} (known: deployment, model, namespace, version)");
    assertThatThrownBy(() -> QueryTemplate.fill("{{}}", VALUES)).hasMessageContaining("{{}}");
  }
}
