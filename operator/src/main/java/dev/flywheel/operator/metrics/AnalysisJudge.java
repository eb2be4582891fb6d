package dev.flywheel.operator.metrics;

import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import dev.flywheel.crds.modeldeployment.AnalysisQuery;
import java.time.Instant;
import java.util.Objects;

/**
 * Judges one measurement of an analysis query against its bounds, as Argo Rollouts' AnalysisTemplate does: within
 * {@code [min, max]} (bounds inclusive, either may be absent) is Successful, outside is Failed, and no data, NaN, a query
 * error or an unreachable Prometheus are Inconclusive, never Successful. Pure: no clock, no I/O.
 */
public final class AnalysisJudge {
  private AnalysisJudge() {}

  /** The verdict on {@code result}, the value {@code check}'s query returned. */
  public static AnalysisVerdict judge(AnalysisQuery check, QueryResult result) {
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(result, "result");
    String name = check.getName();
    return switch (result.outcome()) {
      case VALUE -> bounded(name, result.value(), check.getMin(), check.getMax());
      case NO_DATA -> inconclusive(name, name + ": no data (inconclusive)");
      case NOT_A_NUMBER -> inconclusive(name, name + ": NaN (inconclusive)");
      case QUERY_ERROR -> inconclusive(name, name + ": query error (inconclusive): " + result.message());
      case UNREACHABLE -> inconclusive(name, name + ": Prometheus unreachable (inconclusive): " + result.message());
    };
  }

  /** The verdict as a status measurement taken at {@code at} (the caller's clock). */
  public static AnalysisMeasurement measure(AnalysisQuery check, QueryResult result, Instant at) {
    Objects.requireNonNull(at, "at");
    return judge(check, result).toMeasurement(at);
  }

  private static AnalysisVerdict bounded(String name, double value, Double min, Double max) {
    if (min == null && max == null) {
      return new AnalysisVerdict(name, AnalysisPhase.INCONCLUSIVE, value,
          name + " = " + PromNumbers.format(value) + ", but it has neither min nor max (inconclusive)");
    }
    if (max != null && value > max) {
      return new AnalysisVerdict(name, AnalysisPhase.FAILED, value, compared(name, value, ">", "max", max));
    }
    if (min != null && value < min) {
      return new AnalysisVerdict(name, AnalysisPhase.FAILED, value, compared(name, value, "<", "min", min));
    }
    String message;
    if (min != null && max != null) {
      message = name + " = " + PromNumbers.format(value) + " within [" + PromNumbers.format(min) + ", " + PromNumbers.format(max) + "]";
    } else if (max != null) {
      message = compared(name, value, "<=", "max", max);
    } else {
      message = compared(name, value, ">=", "min", min);
    }
    return new AnalysisVerdict(name, AnalysisPhase.SUCCESSFUL, value, message);
  }

  /** {@code error-rate = 0.034 > max 0.01}; all digits when six would make value and bound look equal. */
  private static String compared(String name, double value, String operator, String boundName, double bound) {
    String shownValue = PromNumbers.format(value);
    String shownBound = PromNumbers.format(bound);
    if (shownValue.equals(shownBound) && value != bound) {
      shownValue = PromNumbers.formatExactly(value);
      shownBound = PromNumbers.formatExactly(bound);
    }
    return name + " = " + shownValue + " " + operator + " " + boundName + " " + shownBound;
  }

  private static AnalysisVerdict inconclusive(String name, String message) {
    return new AnalysisVerdict(name, AnalysisPhase.INCONCLUSIVE, null, message);
  }
}
