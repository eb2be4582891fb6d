package dev.flywheel.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.operator.metrics.QueryResult.Outcome;
import org.junit.jupiter.api.Test;

/** Every answer shape of Prometheus' instant-query API (prometheus.io/docs/prometheus/latest/querying/api/). */
class PrometheusResponseTest {
  private static String vector(String... values) {
    StringBuilder result = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      result.append(i == 0 ? "" : ",").append("{\"metric\":{\"version\":\"v").append(i)
          .append("\"},\"value\":[1435781451.781,\"").append(values[i]).append("\"]}");
    }
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + result + "]}}";
  }

  @Test
  void aOneSampleVectorIsItsValue() {
    QueryResult result = PrometheusResponse.parse(200, vector("0.034"));
    assertThat(result.outcome()).isEqualTo(Outcome.VALUE);
    assertThat(result.value()).isEqualTo(0.034);
    assertThat(result.available()).isTrue();
    assertThat(result.message()).isEqualTo("0.034");
  }

  @Test
  void warningsAndExtraFieldsAreIgnored() {
    String body = "{\"status\":\"success\",\"warnings\":[\"PromQL info: metric might not be a counter\"],\"infos\":[],"
        + "\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1712345678,\"12\"]}],\"stats\":{}}}";
    assertThat(PrometheusResponse.parse(200, body).value()).isEqualTo(12.0);
  }

  @Test
  void aScalarIsItsValue() {
    QueryResult result = PrometheusResponse.parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1435781451.781,\"1\"]}}");
    assertThat(result.outcome()).isEqualTo(Outcome.VALUE);
    assertThat(result.value()).isEqualTo(1.0);
  }

  @Test
  void anEmptyVectorIsNoData() {
    QueryResult result = PrometheusResponse.parse(200, vector());
    assertThat(result.outcome()).isEqualTo(Outcome.NO_DATA);
    assertThat(result.value()).isNull();
    assertThat(result.available()).isFalse();
    assertThat(result.message()).isEqualTo("no data: the query matched no series");
  }

  @Test
  void nanIsNotANumberAndInfinitiesAreValues() {
    assertThat(PrometheusResponse.parse(200, vector("NaN")).outcome()).isEqualTo(Outcome.NOT_A_NUMBER);
    assertThat(PrometheusResponse.parse(200, vector("NaN")).available()).isFalse();
    assertThat(PrometheusResponse.parse(200, vector("+Inf")).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(PrometheusResponse.parse(200, vector("-Inf")).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(PrometheusResponse.parse(200, vector("+Inf")).message()).isEqualTo("+Inf");
    assertThat(PrometheusResponse.parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"NaN\"]}}").outcome())
        .isEqualTo(Outcome.NOT_A_NUMBER);
  }

  @Test
  void numbersInEveryNotationGoPrometheusWrites() {
    assertThat(PrometheusResponse.parse(200, vector("1e-05")).value()).isEqualTo(1e-5);
    assertThat(PrometheusResponse.parse(200, vector("-3.5E+2")).value()).isEqualTo(-350.0);
    assertThat(PrometheusResponse.parse(200, vector("0")).value()).isEqualTo(0.0);
  }

  @Test
  void aSampleThatIsNotANumberIsAQueryError() {
    for (String text : new String[] {"abc", "Infinity", "0x10", "1.5d", ""}) {
      QueryResult result = PrometheusResponse.parse(200, vector(text));
      assertThat(result.outcome()).as(text).isEqualTo(Outcome.QUERY_ERROR);
      assertThat(result.message()).as(text).contains("is not a number");
    }
  }

  @Test
  void severalSeriesAreAQueryErrorThatSaysToAggregate() {
    QueryResult result = PrometheusResponse.parse(200, vector("1", "2", "3"));
    assertThat(result.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(result.message()).isEqualTo("returned 3 series; the query must return one number (aggregate it, e.g. sum(...))");
  }

  @Test
  void aMatrixOrAStringIsAQueryError() {
    QueryResult matrix = PrometheusResponse.parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
        + "[{\"metric\":{\"__name__\":\"up\"},\"values\":[[1435781430.781,\"1\"],[1435781445.781,\"1\"]]}]}}");
    assertThat(matrix.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(matrix.message()).contains("range vector");
    QueryResult string = PrometheusResponse.parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1435781451.781,\"hello\"]}}");
    assertThat(string.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(string.message()).contains("string");
  }

  @Test
  void aNativeHistogramSampleIsAQueryError() {
    String body = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
        + "\"histogram\":[1712345678,{\"count\":\"3\",\"sum\":\"1.5\",\"buckets\":[]}]}]}}";
    assertThat(PrometheusResponse.parse(200, body).message()).contains("native histogram");
  }

  @Test
  void aPrometheusErrorNamesItsTypeAndMessage() {
    QueryResult bad = PrometheusResponse.parse(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
        + "\"error\":\"invalid parameter \\\"query\\\": 1:5: parse error: unexpected \\\"}\\\"\"}");
    assertThat(bad.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(bad.message()).isEqualTo("query failed (bad_data): invalid parameter \"query\": 1:5: parse error: unexpected \"}\"");
    QueryResult execution = PrometheusResponse.parse(422, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"many-to-many matching not allowed\"}");
    assertThat(execution.message()).isEqualTo("query failed (execution): many-to-many matching not allowed");
    QueryResult timeout = PrometheusResponse.parse(503, "{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out in expression evaluation\"}");
    assertThat(timeout.outcome()).isEqualTo(Outcome.QUERY_ERROR);
    assertThat(timeout.message()).startsWith("query failed (timeout)");
  }

  @Test
  void unauthorizedAndForbiddenPointAtTheSecret() {
    assertThat(PrometheusResponse.parse(401, "Unauthorized\n").message()).isEqualTo("Prometheus answered 401: check monitoring.secretRef");
    assertThat(PrometheusResponse.parse(403, "{\"status\":\"error\"}").message()).isEqualTo("Prometheus answered 403: check monitoring.secretRef");
    assertThat(PrometheusResponse.parse(401, "").outcome()).isEqualTo(Outcome.QUERY_ERROR);
  }

  @Test
  void aBodyThatIsNotPrometheusJsonIsAQueryErrorWithTheStatus() {
    for (String body : new String[] {"404 page not found\n", "<html><body>Bad Gateway</body></html>", "", "[1,2]", "{\"data\":{}}", "{\"status\":"}) {
      QueryResult result = PrometheusResponse.parse(body.contains("Gateway") ? 502 : 404, body);
      assertThat(result.outcome()).as(body).isEqualTo(Outcome.QUERY_ERROR);
      assertThat(result.message()).as(body).startsWith("Prometheus answered " + (body.contains("Gateway") ? 502 : 404) + " with a body that is not its JSON API");
    }
    assertThat(PrometheusResponse.parse(200, null).outcome()).isEqualTo(Outcome.QUERY_ERROR);
  }

  @Test
  void malformedSuccessShapesAreQueryErrors() {
    assertThat(PrometheusResponse.parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}").outcome())
        .isEqualTo(Outcome.QUERY_ERROR);
    assertThat(PrometheusResponse.parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,2]}]}}").outcome())
        .isEqualTo(Outcome.QUERY_ERROR);
    assertThat(PrometheusResponse.parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"exotic\",\"result\":[]}}").message())
        .isEqualTo("returned an unknown result type 'exotic'");
    assertThat(PrometheusResponse.parse(200, "{\"status\":\"partial\"}").outcome()).isEqualTo(Outcome.QUERY_ERROR);
  }

  @Test
  void messagesAreOneLine() {
    QueryResult result = PrometheusResponse.parse(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"line one\\nline two\\r\\n\"}");
    assertThat(result.message()).isEqualTo("query failed (bad_data): line one line two");
  }
}
