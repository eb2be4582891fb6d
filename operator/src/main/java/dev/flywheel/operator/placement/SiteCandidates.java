package dev.flywheel.operator.placement;

import dev.flywheel.crds.common.DataClassification;
import dev.flywheel.crds.site.Site;
import dev.flywheel.crds.site.SiteSpec;
import dev.flywheel.crds.site.SiteType;
import dev.flywheel.operator.common.Conditions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns Site resources and the work running on them into what placement decides on. */
public final class SiteCandidates {
  private SiteCandidates() {}

  /**
   * A node-pool Site is part of this cluster, so it counts as reachable until the Site reconciler says otherwise;
   * a remote cluster counts only once probed Reachable.
   *
   * @param running training jobs running per site name
   */
  public static List<SiteCandidate> of(List<Site> sites, Map<String, Integer> running) {
    return sites.stream().map(site -> {
      SiteSpec spec = site.getSpec();
      boolean probed = site.getStatus() != null && Conditions.find(site.getStatus().getConditions(), "Reachable").isPresent();
      boolean reachable = probed
          ? Conditions.isTrue(site.getStatus().getConditions(), "Reachable")
          : spec.getType() == SiteType.nodePool;
      Set<DataClassification> allowed = spec.getAllowedClassifications() == null || spec.getAllowedClassifications().isEmpty()
          ? EnumSet.noneOf(DataClassification.class) : EnumSet.copyOf(spec.getAllowedClassifications());
      return new SiteCandidate(site.getMetadata().getName(), allowed, reachable,
          running.getOrDefault(site.getMetadata().getName(), 0), spec.getMaxConcurrentTrainingJobs(),
          Boolean.TRUE.equals(spec.getBurst()), spec.getPriority() == null ? 0 : spec.getPriority());
    }).toList();
  }
}
