package dev.flywheel.operator.placement;

import static dev.flywheel.crds.common.DataClassification.INTERNAL;
import static dev.flywheel.crds.common.DataClassification.PUBLIC;
import static dev.flywheel.crds.common.DataClassification.RESTRICTED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.common.DataClassification;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Placement of work on Sites: explicit and automatic, with the reasons users see when nothing fits. */
class SitePlacementTest {
  private static final SiteCandidate ON_PREM = site("onprem", Set.of(PUBLIC, INTERNAL, RESTRICTED), true, 0, 4, false, 100);
  private static final SiteCandidate CLOUD = site("cloud", Set.of(PUBLIC, INTERNAL), true, 0, 20, true, 10);

  @Test
  void explicitSiteIsUsedWhenItAllowsTheDataAndHasRoom() {
    PlacementDecision decision = SitePlacement.place(RESTRICTED, "onprem", List.of(ON_PREM, CLOUD));
    assertThat(decision.site()).contains("onprem");
    assertThat(decision.reason()).isEqualTo(PlacementDecision.PLACED);
  }

  @Test
  void restrictedDataWithOnlyACloudSiteStaysPending() {
    PlacementDecision auto = SitePlacement.place(RESTRICTED, "auto", List.of(CLOUD));
    assertThat(auto.isPlaced()).isFalse();
    assertThat(auto.reason()).isEqualTo(PlacementDecision.NO_ELIGIBLE_SITE);
    assertThat(auto.message()).isEqualTo("no Site allows restricted data");

    PlacementDecision explicit = SitePlacement.place(RESTRICTED, "cloud", List.of(CLOUD));
    assertThat(explicit.reason()).isEqualTo(PlacementDecision.NO_ELIGIBLE_SITE);
    assertThat(explicit.message()).isEqualTo("Site cloud does not allow restricted data");
  }

  @Test
  void missingUnreachableAndFullSitesAreNamedInTheReason() {
    assertThat(SitePlacement.place(INTERNAL, "nowhere", List.of(ON_PREM)).message()).isEqualTo("Site nowhere does not exist");

    SiteCandidate down = site("onprem", Set.of(INTERNAL), false, 0, 4, false, 100);
    assertThat(SitePlacement.place(INTERNAL, "onprem", List.of(down)).reason()).isEqualTo(PlacementDecision.SITE_UNREACHABLE);
    assertThat(SitePlacement.place(INTERNAL, "auto", List.of(down)).reason()).isEqualTo(PlacementDecision.SITE_UNREACHABLE);

    SiteCandidate full = site("onprem", Set.of(INTERNAL), true, 4, 4, false, 100);
    PlacementDecision explicit = SitePlacement.place(INTERNAL, "onprem", List.of(full));
    assertThat(explicit.reason()).isEqualTo(PlacementDecision.SITE_FULL);
    assertThat(explicit.message()).isEqualTo("Site onprem is full: 4 of 4 training jobs running");
    assertThat(SitePlacement.place(INTERNAL, "auto", List.of(full)).reason()).isEqualTo(PlacementDecision.SITE_FULL);
  }

  @Test
  void autoPrefersPriorityThenNameAndBurstsOnlyWhenTheOthersAreFull() {
    SiteCandidate small = site("a-small", Set.of(INTERNAL), true, 0, 1, false, 50);
    assertThat(SitePlacement.place(INTERNAL, "auto", List.of(CLOUD, small, ON_PREM)).site()).contains("onprem");

    SiteCandidate twin = site("a-onprem", Set.of(INTERNAL), true, 0, null, false, 100);
    assertThat(SitePlacement.place(INTERNAL, "auto", List.of(ON_PREM, twin)).site()).contains("a-onprem");

    SiteCandidate onPremFull = site("onprem", Set.of(INTERNAL), true, 4, 4, false, 100);
    PlacementDecision burst = SitePlacement.place(INTERNAL, "auto", List.of(CLOUD, onPremFull));
    assertThat(burst.site()).contains("cloud");
    assertThat(burst.message()).contains("burst");

    assertThat(SitePlacement.place(INTERNAL, "auto", List.of(CLOUD, ON_PREM)).site())
        .as("burst sites wait while a regular site has room, whatever their priority")
        .contains("onprem");
  }

  @Test
  void noSiteSetEverPutsDataWhereItIsNotAllowed() {
    DataClassification[] classifications = DataClassification.values();
    for (long seed = 1; seed <= 20_000; seed++) {
      Random random = new Random(seed);
      List<SiteCandidate> sites = randomSites(random);
      DataClassification data = classifications[random.nextInt(classifications.length)];
      String requested = random.nextInt(3) == 0 || sites.isEmpty() ? "auto" : sites.get(random.nextInt(sites.size())).name();

      PlacementDecision decision = SitePlacement.place(data, requested, sites);

      String scenario = "seed " + seed + ": " + data + " on " + requested + " among " + sites;
      if (decision.isPlaced()) {
        SiteCandidate chosen = sites.stream().filter(s -> s.name().equals(decision.site().get())).findFirst().orElseThrow();
        assertThat(chosen.allows(data)).as(scenario).isTrue();
        assertThat(chosen.reachable()).as(scenario).isTrue();
        assertThat(chosen.hasRoom()).as(scenario).isTrue();
        if (!"auto".equals(requested)) {
          assertThat(chosen.name()).as(scenario).isEqualTo(requested);
        } else if (chosen.burst()) {
          assertThat(sites).as(scenario).noneMatch(s -> !s.burst() && s.allows(data) && s.reachable() && s.hasRoom());
        }
      } else {
        assertThat(decision.reason()).as(scenario)
            .isIn(PlacementDecision.NO_ELIGIBLE_SITE, PlacementDecision.SITE_UNREACHABLE, PlacementDecision.SITE_FULL);
        if ("auto".equals(requested)) {
          assertThat(sites).as(scenario + " left pending though a site fits")
              .noneMatch(s -> s.allows(data) && s.reachable() && s.hasRoom());
        }
      }
    }
  }

  private static List<SiteCandidate> randomSites(Random random) {
    List<SiteCandidate> sites = new ArrayList<>();
    int count = random.nextInt(6);
    for (int i = 0; i < count; i++) {
      Set<DataClassification> allowed = EnumSet.noneOf(DataClassification.class);
      for (DataClassification c : DataClassification.values()) {
        if (random.nextBoolean()) {
          allowed.add(c);
        }
      }
      Integer max = random.nextInt(4) == 0 ? null : random.nextInt(4);
      sites.add(site("site-" + i, allowed, random.nextInt(5) > 0, random.nextInt(4), max, random.nextBoolean(), random.nextInt(5) * 10));
    }
    return sites;
  }

  private static SiteCandidate site(String name, Set<DataClassification> allowed, boolean reachable, int running, Integer max, boolean burst, int priority) {
    return new SiteCandidate(name, allowed, reachable, running, max, burst, priority);
  }
}
