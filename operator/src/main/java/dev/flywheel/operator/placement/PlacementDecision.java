package dev.flywheel.operator.placement;

import java.util.Optional;

/**
 * The outcome of placing work: the chosen site, or why none could be chosen.
 *
 * @param site the chosen site's name, empty when the work stays pending
 * @param reason Placed, or NoEligibleSite, SiteUnreachable or SiteFull (the Scheduled condition's reason)
 * @param message what a person reads in the condition
 */
public record PlacementDecision(Optional<String> site, String reason, String message) {
  public static final String PLACED = "Placed";
  public static final String NO_ELIGIBLE_SITE = "NoEligibleSite";
  public static final String SITE_UNREACHABLE = "SiteUnreachable";
  public static final String SITE_FULL = "SiteFull";

  static PlacementDecision placed(String site, String message) {
    return new PlacementDecision(Optional.of(site), PLACED, message);
  }

  public static PlacementDecision pending(String reason, String message) {
    return new PlacementDecision(Optional.empty(), reason, message);
  }

  public boolean isPlaced() {
    return site.isPresent();
  }
}
