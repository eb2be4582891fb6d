package dev.flywheel.crds.common;

/** The three values a condition's status can take. */
public enum ConditionStatus {
  True,
  False,
  Unknown
}
