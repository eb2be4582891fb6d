package dev.flywheel.operator.serving;

import java.util.Locale;

/** The two tracks a ModelDeployment serves on: the current version and, during a rollout, the candidate. */
public enum Track {
  STABLE,
  CANARY;

  /** The value of the {@code mlops.flywheel.dev/track} label and the suffix of the track's names: stable or canary. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
