package dev.flywheel.crds.modeldeployment;

/** Ways to roll out a new model version. */
public enum RolloutStrategy {
  RollingUpdate,
  Canary
}
