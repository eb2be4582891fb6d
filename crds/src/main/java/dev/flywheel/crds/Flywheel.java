package dev.flywheel.crds;

/** The API group, version and category shared by every Flywheel custom resource. */
public final class Flywheel {
  public static final String GROUP = "mlops.flywheel.dev";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CATEGORY = "flywheel";

  private Flywheel() {}
}
