package dev.flywheel.operator.common;

import dev.flywheel.crds.site.SiteSpec;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/**
 * Where a pod placed on some Sites may be scheduled: no Site leaves it unconstrained; one Site gives its node selector
 * and tolerations; several give a required node affinity with one term per Site (a node of any of them will do) and
 * the distinct union of their tolerations — and no node constraint at all when any of them selects no nodes in
 * particular (that Site is the whole cluster).
 */
public record PodPlacement(Map<String, String> nodeSelector, Affinity affinity, List<Toleration> tolerations) {

  public static PodPlacement of(List<SiteSpec> sites) {
    if (sites == null || sites.isEmpty() || (sites.size() == 1 && sites.get(0) == null)) {
      return new PodPlacement(null, null, List.of());
    }
    if (sites.size() == 1) {
      SiteSpec site = sites.get(0);
      return new PodPlacement(site.getNodeSelector(), null, site.getTolerations() != null ? site.getTolerations() : List.of());
    }
    List<Toleration> tolerations = sites.stream()
        .filter(s -> s != null && s.getTolerations() != null)
        .flatMap(s -> s.getTolerations().stream())
        .distinct()
        .toList();
    if (sites.stream().anyMatch(s -> s == null || s.getNodeSelector() == null || s.getNodeSelector().isEmpty())) {
      return new PodPlacement(null, null, tolerations);
    }
    List<NodeSelectorTerm> terms = sites.stream().map(PodPlacement::term).distinct().toList();
    Affinity affinity = new AffinityBuilder()
        .withNewNodeAffinity()
          .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(terms).endRequiredDuringSchedulingIgnoredDuringExecution()
        .endNodeAffinity()
        .build();
    return new PodPlacement(null, affinity, tolerations);
  }

  /** The nodes of one Site: every label of its selector, in key order so the pod spec does not change with map order. */
  private static NodeSelectorTerm term(SiteSpec site) {
    return new NodeSelectorTermBuilder()
        .withMatchExpressions(site.getNodeSelector().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(e -> new NodeSelectorRequirement(e.getKey(), "In", List.of(e.getValue() != null ? e.getValue() : "")))
            .toList())
        .build();
  }
}
