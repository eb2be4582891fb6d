package dev.flywheel.crds.trainingjob;

/** Where a TrainingJob is in its life. */
public enum TrainingPhase {
  Pending,
  Running,
  Succeeded,
  Failed
}
