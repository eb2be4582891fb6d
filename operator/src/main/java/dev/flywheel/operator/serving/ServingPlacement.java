package dev.flywheel.operator.serving;

import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.modelversion.ModelVersion;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.site.SiteType;
import dev.flywheel.operator.common.Conditions;
import java.util.Comparator;
import java.util.List;

/**
 * Where a model is served: the node-pool Sites of this cluster, among spec.placement.sites (or every Site when it
 * is empty), that allow the version's data classification. A model inherits the classification of its training
 * data. Remote-cluster Sites do not serve in this version: they are named in the refusal.
 *
 * @param sites the Sites to serve from, by priority then name; empty when refused
 * @param reason Placed or NoEligibleSite
 */
public record ServingPlacement(List<Site> sites, String reason, String message) {
  public static final String PLACED = "Placed";
  public static final String NO_ELIGIBLE_SITE = "NoEligibleSite";

  public static ServingPlacement of(ModelDeployment deployment, ModelVersion version, List<Site> allSites) {
    DataClassification classification = version.getSpec().getClassification() != null ? version.getSpec().getClassification() : DataClassification.INTERNAL;
    String data = classification.name().toLowerCase(java.util.Locale.ROOT);
    List<String> named = deployment.getSpec().getPlacement() == null || deployment.getSpec().getPlacement().getSites() == null
        ? List.of() : deployment.getSpec().getPlacement().getSites();
    List<Site> candidates = named.isEmpty() ? allSites : allSites.stream().filter(s -> named.contains(s.getMetadata().getName())).toList();
    List<String> missing = named.stream().filter(n -> allSites.stream().noneMatch(s -> s.getMetadata().getName().equals(n))).toList();
    List<Site> allowing = candidates.stream().filter(s -> allows(s, classification)).toList();
    List<Site> eligible = allowing.stream().filter(s -> s.getSpec().getType() == SiteType.nodePool && reachable(s))
        .sorted(Comparator.comparing((Site s) -> s.getSpec().getPriority() == null ? 0 : -s.getSpec().getPriority())
            .thenComparing(s -> s.getMetadata().getName()))
        .toList();
    if (!eligible.isEmpty()) {
      return new ServingPlacement(eligible, PLACED, "served on Site" + (eligible.size() > 1 ? "s " : " ")
          + String.join(", ", eligible.stream().map(s -> s.getMetadata().getName()).toList()));
    }
    StringBuilder why = new StringBuilder("no Site may serve " + data + " data of " + version.getMetadata().getName());
    if (!missing.isEmpty()) {
      why.append("; Sites ").append(String.join(", ", missing)).append(" do not exist");
    }
    List<String> remote = allowing.stream().filter(s -> s.getSpec().getType() == SiteType.remoteCluster).map(s -> s.getMetadata().getName()).toList();
    if (!remote.isEmpty()) {
      why.append("; remote-cluster Sites (").append(String.join(", ", remote)).append(") do not serve models in this version of Flywheel");
    }
    List<String> unreachable = allowing.stream().filter(s -> s.getSpec().getType() == SiteType.nodePool && !reachable(s))
        .map(s -> s.getMetadata().getName()).toList();
    if (!unreachable.isEmpty()) {
      why.append("; Sites ").append(String.join(", ", unreachable)).append(" are not reachable");
    }
    return new ServingPlacement(List.of(), NO_ELIGIBLE_SITE, why.toString());
  }

  private static boolean allows(Site site, DataClassification classification) {
    return site.getSpec().getAllowedClassifications() != null && site.getSpec().getAllowedClassifications().contains(classification);
  }

  /** A node pool is part of this cluster: reachable unless the Site reconciler found otherwise. */
  private static boolean reachable(Site site) {
    return site.getStatus() == null || Conditions.find(site.getStatus().getConditions(), "Reachable").isEmpty()
        || Conditions.isTrue(site.getStatus().getConditions(), "Reachable");
  }

  public boolean placed() {
    return !sites.isEmpty();
  }
}
