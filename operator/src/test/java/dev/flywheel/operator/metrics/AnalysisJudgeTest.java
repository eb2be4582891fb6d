package dev.flywheel.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.AnalysisQuery;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Argo Rollouts' semantics for one measurement: inclusive bounds, and nothing but a number in bounds succeeds. */
class AnalysisJudgeTest {
  private static AnalysisQuery check(String name, Double min, Double max) {
    AnalysisQuery query = new AnalysisQuery();
    query.setName(name);
    query.setQuery("unused by the judge");
    query.setMin(min);
    query.setMax(max);
    return query;
  }

  private static final AnalysisQuery ERROR_RATE = check("error-rate", null, 0.01);
  private static final AnalysisQuery THROUGHPUT = check("throughput", 10.0, null);
  private static final AnalysisQuery ACCURACY = check("accuracy", 0.8, 1.0);

  @Test
  void aValueAboveMaxFailsAndSaysBy() {
    AnalysisVerdict verdict = AnalysisJudge.judge(ERROR_RATE, QueryResult.value(0.034));
    assertThat(verdict.phase()).isEqualTo(AnalysisPhase.FAILED);
    assertThat(verdict.failed()).isTrue();
    assertThat(verdict.value()).isEqualTo(0.034);
    assertThat(verdict.message()).isEqualTo("error-rate = 0.034 > max 0.01");
  }

  @Test
  void boundsAreInclusive() {
    assertThat(AnalysisJudge.judge(ERROR_RATE, QueryResult.value(0.01)).phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
    assertThat(AnalysisJudge.judge(ERROR_RATE, QueryResult.value(0.01)).message()).isEqualTo("error-rate = 0.01 <= max 0.01");
    assertThat(AnalysisJudge.judge(THROUGHPUT, QueryResult.value(10)).phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
    assertThat(AnalysisJudge.judge(THROUGHPUT, QueryResult.value(10)).message()).isEqualTo("throughput = 10 >= min 10");
    assertThat(AnalysisJudge.judge(ERROR_RATE, QueryResult.value(Math.nextUp(0.01))).phase()).isEqualTo(AnalysisPhase.FAILED);
    assertThat(AnalysisJudge.judge(THROUGHPUT, QueryResult.value(Math.nextDown(10.0))).phase()).isEqualTo(AnalysisPhase.FAILED);
  }

  @Test
  void aValueJustPastItsBoundShowsEnoughDigitsToSeeIt() {
    assertThat(AnalysisJudge.judge(ERROR_RATE, QueryResult.value(0.0100000001)).message()).isEqualTo("error-rate = 0.0100000001 > max 0.01");
    assertThat(AnalysisJudge.judge(ERROR_RATE, QueryResult.value(1.0 / 3)).message()).isEqualTo("error-rate = 0.333333 > max 0.01");
    assertThat(AnalysisJudge.judge(ERROR_RATE, QueryResult.value(0.00001234)).message()).isEqualTo("error-rate = 0.00001234 <= max 0.01");
  }

  @Test
  void aValueBelowMinFails() {
    AnalysisVerdict verdict = AnalysisJudge.judge(THROUGHPUT, QueryResult.value(3));
    assertThat(verdict.phase()).isEqualTo(AnalysisPhase.FAILED);
    assertThat(verdict.message()).isEqualTo("throughput = 3 < min 10");
  }

  @Test
  void minAndMaxTogether() {
    assertThat(AnalysisJudge.judge(ACCURACY, QueryResult.value(0.9)).message()).isEqualTo("accuracy = 0.9 within [0.8, 1]");
    assertThat(AnalysisJudge.judge(ACCURACY, QueryResult.value(0.8)).successful()).isTrue();
    assertThat(AnalysisJudge.judge(ACCURACY, QueryResult.value(1.0)).successful()).isTrue();
    assertThat(AnalysisJudge.judge(ACCURACY, QueryResult.value(0.7)).message()).isEqualTo("accuracy = 0.7 < min 0.8");
    assertThat(AnalysisJudge.judge(ACCURACY, QueryResult.value(1.5)).message()).isEqualTo("accuracy = 1.5 > max 1");
    AnalysisQuery impossible = check("impossible", 2.0, 1.0);
    assertThat(AnalysisJudge.judge(impossible, QueryResult.value(1.5)).failed()).isTrue();
  }

  @Test
  void infinitiesAreNumbersHeldToTheirBounds() {
    AnalysisQuery latency = check("p99-latency", null, 0.05);
    assertThat(AnalysisJudge.judge(latency, QueryResult.value(Double.POSITIVE_INFINITY)).message()).isEqualTo("p99-latency = +Inf > max 0.05");
    assertThat(AnalysisJudge.judge(latency, QueryResult.value(Double.NEGATIVE_INFINITY)).successful()).isTrue();
    assertThat(AnalysisJudge.judge(THROUGHPUT, QueryResult.value(Double.NEGATIVE_INFINITY)).message()).isEqualTo("throughput = -Inf < min 10");
    assertThat(AnalysisJudge.judge(THROUGHPUT, QueryResult.value(Double.POSITIVE_INFINITY)).successful()).isTrue();
    assertThat(AnalysisJudge.judge(ACCURACY, QueryResult.value(Double.POSITIVE_INFINITY)).failed()).isTrue();
  }

  @Test
  void noDataNanErrorsAndAnUnreachablePrometheusAreInconclusiveNeverSuccessful() {
    AnalysisQuery latency = check("p99-latency", null, 0.05);
    AnalysisVerdict noData = AnalysisJudge.judge(latency, QueryResult.noData("no data: the query matched no series"));
    assertThat(noData.phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
    assertThat(noData.inconclusive()).isTrue();
    assertThat(noData.value()).isNull();
    assertThat(noData.message()).isEqualTo("p99-latency: no data (inconclusive)");
    assertThat(AnalysisJudge.judge(latency, QueryResult.notANumber("NaN")).message()).isEqualTo("p99-latency: NaN (inconclusive)");
    assertThat(AnalysisJudge.judge(latency, QueryResult.queryError("returned 2 series; …")).message())
        .isEqualTo("p99-latency: query error (inconclusive): returned 2 series; …");
    assertThat(AnalysisJudge.judge(latency, QueryResult.unreachable("cannot reach Prometheus at http://p:9090: connection refused")).message())
        .isEqualTo("p99-latency: Prometheus unreachable (inconclusive): cannot reach Prometheus at http://p:9090: connection refused");
    for (QueryResult result : new QueryResult[] {QueryResult.noData("x"), QueryResult.notANumber("x"), QueryResult.queryError("x"), QueryResult.unreachable("x")}) {
      assertThat(AnalysisJudge.judge(latency, result).phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
      assertThat(AnalysisJudge.judge(ACCURACY, result).phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
    }
  }

  @Test
  void aCheckWithoutBoundsIsNeverSuccessful() {
    assertThat(AnalysisJudge.judge(check("unbounded", null, null), QueryResult.value(0)).phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
  }

  @Test
  void aMeasurementCarriesTheInjectedTime() {
    Instant at = Instant.parse("2025-03-01T10:15:30.123456Z");
    AnalysisMeasurement failed = AnalysisJudge.measure(ERROR_RATE, QueryResult.value(0.034), at);
    assertThat(failed.getName()).isEqualTo("error-rate");
    assertThat(failed.getPhase()).isEqualTo("Failed");
    assertThat(failed.getValue()).isEqualTo(0.034);
    assertThat(failed.getMessage()).isEqualTo("error-rate = 0.034 > max 0.01");
    assertThat(failed.getTime()).isEqualTo("2025-03-01T10:15:30Z");
    AnalysisMeasurement noData = AnalysisJudge.measure(ERROR_RATE, QueryResult.noData("none"), at);
    assertThat(noData.getPhase()).isEqualTo("Inconclusive");
    assertThat(noData.getValue()).isNull();
    assertThat(AnalysisPhase.SUCCESSFUL.phase()).isEqualTo("Successful");
  }

  @Test
  void anInfiniteValueStaysOutOfTheMeasurementsJson() {
    AnalysisMeasurement inf = AnalysisJudge.measure(check("p99-latency", null, 0.05), QueryResult.value(Double.POSITIVE_INFINITY), Instant.EPOCH);
    assertThat(inf.getValue()).isNull();
    assertThat(inf.getMessage()).isEqualTo("p99-latency = +Inf > max 0.05");
    assertThat(inf.getTime()).isEqualTo("1970-01-01T00:00:00Z");
  }
}
