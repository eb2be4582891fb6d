package dev.flywheel.operator.metrics;

import dev.flywheel.crds.modeldeployment.AnalysisMeasurement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** How one analysis query fared in one measurement: its phase, the value it returned (if any), and why, in one line. */
public record AnalysisVerdict(String name, AnalysisPhase phase, Double value, String message) {
  public AnalysisVerdict {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(message, "message");
  }

  public boolean successful() {
    return phase == AnalysisPhase.SUCCESSFUL;
  }

  public boolean failed() {
    return phase == AnalysisPhase.FAILED;
  }

  public boolean inconclusive() {
    return phase == AnalysisPhase.INCONCLUSIVE;
  }

  /**
   * The verdict as status records it, measured at {@code at} (RFC 3339, whole seconds). An infinite value is left out
   * (JSON has no Infinity; the message shows it as +Inf or -Inf).
   */
  public AnalysisMeasurement toMeasurement(Instant at) {
    AnalysisMeasurement measurement = new AnalysisMeasurement();
    measurement.setName(name);
    measurement.setPhase(phase.phase());
    measurement.setValue(value == null || value.isInfinite() ? null : value);
    measurement.setMessage(message);
    measurement.setTime(at.truncatedTo(ChronoUnit.SECONDS).toString());
    return measurement;
  }
}
