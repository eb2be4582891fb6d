package dev.flywheel.crds.site;

/** Kinds of Site. */
public enum SiteType {
  nodePool,
  remoteCluster
}
