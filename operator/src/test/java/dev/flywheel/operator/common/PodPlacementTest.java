package dev.flywheel.operator.common;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.site.SiteSpec;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where a pod may be scheduled given the Sites it is placed on. */
class PodPlacementTest {
  static SiteSpec site(Map<String, String> nodeSelector, Toleration... tolerations) {
    SiteSpec site = new SiteSpec();
    site.setNodeSelector(nodeSelector);
    site.setTolerations(tolerations.length == 0 ? null : List.of(tolerations));
    return site;
  }

  static Toleration toleration(String key) {
    return new Toleration("NoSchedule", key, "Exists", null, null);
  }

  static List<String> terms(PodPlacement placement) {
    return placement.affinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().stream()
        .map(NodeSelectorTerm::getMatchExpressions)
        .map(e -> e.stream().map(r -> r.getKey() + " " + r.getOperator() + " " + r.getValues()).toList().toString())
        .toList();
  }

  @Test
  void noSiteLeavesThePodUnconstrained() {
    assertThat(PodPlacement.of(List.of())).isEqualTo(new PodPlacement(null, null, List.of()));
    assertThat(PodPlacement.of(null)).isEqualTo(new PodPlacement(null, null, List.of()));
    assertThat(PodPlacement.of(Arrays.asList((SiteSpec) null))).isEqualTo(new PodPlacement(null, null, List.of()));
  }

  @Test
  void oneSiteGivesItsNodeSelectorAndTolerations() {
    PodPlacement placement = PodPlacement.of(List.of(site(Map.of("pool", "ml"), toleration("dedicated"))));
    assertThat(placement.nodeSelector()).isEqualTo(Map.of("pool", "ml"));
    assertThat(placement.affinity()).isNull();
    assertThat(placement.tolerations()).extracting(Toleration::getKey).containsExactly("dedicated");
    assertThat(PodPlacement.of(List.of(site(null)))).isEqualTo(new PodPlacement(null, null, List.of()));
  }

  @Test
  void severalSitesAllowANodeOfAnyOfThemAndTolerateWhatEachNeeds() {
    Map<String, String> gpu = new LinkedHashMap<>();
    gpu.put("zone", "b");
    gpu.put("pool", "gpu");
    PodPlacement placement = PodPlacement.of(List.of(
        site(Map.of("pool", "ml"), toleration("dedicated")),
        site(gpu, toleration("gpu"), toleration("dedicated")),
        site(Map.of("pool", "ml"))));
    assertThat(placement.nodeSelector()).isNull();
    assertThat(terms(placement)).as("OR across Sites, AND within one; keys in order; the same Site twice once")
        .containsExactly("[pool In [ml]]", "[pool In [gpu], zone In [b]]");
    assertThat(placement.tolerations()).extracting(Toleration::getKey).containsExactly("dedicated", "gpu");
    NodeSelectorRequirement first = placement.affinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchExpressions().get(0);
    assertThat(first.getValues()).containsExactly("ml");
  }

  @Test
  void aSiteWithoutNodeSelectorAmongSeveralLiftsTheNodeConstraint() {
    PodPlacement placement = PodPlacement.of(List.of(site(Map.of("pool", "ml"), toleration("dedicated")), site(Map.of(), toleration("spot"))));
    assertThat(placement.nodeSelector()).isNull();
    assertThat(placement.affinity()).isNull();
    assertThat(placement.tolerations()).extracting(Toleration::getKey).containsExactly("dedicated", "spot");
    assertThat(PodPlacement.of(List.of(site(Map.of("pool", "ml")), site(null))).affinity()).isNull();
  }
}
