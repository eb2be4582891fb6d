package dev.flywheel.crds.modeldeployment;

/** Registry stages a deployment can follow. */
public enum FollowStage {
  Staging,
  Production
}
