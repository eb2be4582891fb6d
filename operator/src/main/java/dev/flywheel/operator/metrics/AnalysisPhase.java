package dev.flywheel.operator.metrics;

/** The phase of one analysis measurement, as Argo Rollouts names them and ModelDeployment status shows them. */
public enum AnalysisPhase {
  /** The value is within its bounds. */
  SUCCESSFUL("Successful"),
  /** The value is outside its bounds. */
  FAILED("Failed"),
  /** No value to judge: no data, NaN, a query error, or Prometheus unreachable. Never counts as success. */
  INCONCLUSIVE("Inconclusive");

  private final String phase;

  AnalysisPhase(String phase) {
    this.phase = phase;
  }

  /** The phase as status shows it: Successful, Failed or Inconclusive. */
  public String phase() {
    return phase;
  }
}
