package dev.flywheel.crds.modelversion;

/** Registry stage of a model version. */
public enum Stage {
  None,
  Staging,
  Production,
  Archived
}
