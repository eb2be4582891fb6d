package dev.flywheel.operator.placement;

import dev.flywheel.crds.common.DataClassification;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Chooses the Site a piece of work runs on. Data never goes to a site that does not allow its classification;
 * auto placement prefers higher priority, then the name, and uses burst sites only when every eligible
 * non-burst site is full or unreachable.
 */
public final class SitePlacement {
  /** The value of placement.site that asks Flywheel to choose. */
  public static final String AUTO = "auto";

  private static final Comparator<SiteCandidate> PREFERENCE =
      Comparator.comparingInt(SiteCandidate::priority).reversed().thenComparing(SiteCandidate::name);

  private SitePlacement() {}

  /** Places work on data of this classification, on the requested site or (for auto) the best one. */
  public static PlacementDecision place(DataClassification classification, String requestedSite, List<SiteCandidate> sites) {
    String data = label(classification);
    if (requestedSite != null && !AUTO.equals(requestedSite)) {
      return placeOn(requestedSite, classification, data, sites);
    }
    List<SiteCandidate> eligible = sites.stream().filter(s -> s.allows(classification)).toList();
    if (eligible.isEmpty()) {
      return PlacementDecision.pending(PlacementDecision.NO_ELIGIBLE_SITE,
          "no Site allows " + data + " data");
    }
    List<SiteCandidate> reachable = eligible.stream().filter(SiteCandidate::reachable).toList();
    if (reachable.isEmpty()) {
      return PlacementDecision.pending(PlacementDecision.SITE_UNREACHABLE,
          "every Site that allows " + data + " data is unreachable: " + names(eligible));
    }
    Optional<SiteCandidate> regular = best(reachable, false);
    if (regular.isPresent()) {
      return PlacementDecision.placed(regular.get().name(), "placed on Site " + regular.get().name());
    }
    Optional<SiteCandidate> burst = best(reachable, true);
    if (burst.isPresent()) {
      return PlacementDecision.placed(burst.get().name(),
          "placed on burst Site " + burst.get().name() + ": every other eligible Site is full");
    }
    return PlacementDecision.pending(PlacementDecision.SITE_FULL,
        "every reachable Site that allows " + data + " data is full: " + names(reachable));
  }

  private static PlacementDecision placeOn(String name, DataClassification classification, String data, List<SiteCandidate> sites) {
    Optional<SiteCandidate> site = sites.stream().filter(s -> s.name().equals(name)).findFirst();
    if (site.isEmpty()) {
      return PlacementDecision.pending(PlacementDecision.NO_ELIGIBLE_SITE, "Site " + name + " does not exist");
    }
    if (!site.get().allows(classification)) {
      return PlacementDecision.pending(PlacementDecision.NO_ELIGIBLE_SITE,
          "Site " + name + " does not allow " + data + " data");
    }
    if (!site.get().reachable()) {
      return PlacementDecision.pending(PlacementDecision.SITE_UNREACHABLE, "Site " + name + " is unreachable");
    }
    if (!site.get().hasRoom()) {
      return PlacementDecision.pending(PlacementDecision.SITE_FULL, "Site " + name + " is full: "
          + site.get().runningTrainingJobs() + " of " + site.get().maxConcurrentTrainingJobs() + " training jobs running");
    }
    return PlacementDecision.placed(name, "placed on Site " + name);
  }

  private static Optional<SiteCandidate> best(List<SiteCandidate> sites, boolean burst) {
    return sites.stream().filter(s -> s.burst() == burst && s.hasRoom()).min(PREFERENCE);
  }

  private static String names(List<SiteCandidate> sites) {
    return String.join(", ", sites.stream().map(SiteCandidate::name).sorted().toList());
  }

  private static String label(DataClassification classification) {
    return classification.name().toLowerCase(Locale.ROOT);
  }
}
