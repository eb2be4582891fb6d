package dev.flywheel.operator.serving;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How replicas divide between the tracks at a canary weight, and the share of traffic the canary really gets. */
class ReplicaSplitTest {
  @Test
  void withoutExactWeightsTheShareIsOneOfThePods() {
    assertThat(ReplicaSplit.of(3, 10, false)).isEqualTo(new ReplicaSplit(2, 1, 33));
    assertThat(ReplicaSplit.of(10, 10, false)).isEqualTo(new ReplicaSplit(9, 1, 10));
    assertThat(ReplicaSplit.of(10, 50, false)).isEqualTo(new ReplicaSplit(5, 5, 50));
    assertThat(ReplicaSplit.of(3, 50, false)).isEqualTo(new ReplicaSplit(1, 2, 67));
    assertThat(ReplicaSplit.of(1, 10, false)).as("one more pod, so both tracks run").isEqualTo(new ReplicaSplit(1, 1, 50));
    assertThat(ReplicaSplit.of(2, 99, false)).isEqualTo(new ReplicaSplit(1, 2, 67));
    assertThat(ReplicaSplit.of(3, 100, false)).isEqualTo(new ReplicaSplit(0, 3, 100));
    assertThat(ReplicaSplit.of(0, 50, false)).isEqualTo(new ReplicaSplit(0, 0, 0));
  }

  @Test
  void withExactWeightsStableKeepsEveryReplicaAndTheShareIsTheWeight() {
    assertThat(ReplicaSplit.of(3, 10, true)).isEqualTo(new ReplicaSplit(3, 1, 10));
    assertThat(ReplicaSplit.of(10, 50, true)).isEqualTo(new ReplicaSplit(10, 5, 50));
    assertThat(ReplicaSplit.of(4, 100, true)).isEqualTo(new ReplicaSplit(4, 4, 100));
    assertThat(ReplicaSplit.of(0, 50, true)).isEqualTo(new ReplicaSplit(0, 0, 0));
  }

  @Test
  void aWeightOfZeroRunsNoCanaryPod() {
    assertThat(ReplicaSplit.of(3, 0, false)).isEqualTo(new ReplicaSplit(3, 0, 0));
    assertThat(ReplicaSplit.of(3, 0, true)).isEqualTo(new ReplicaSplit(3, 0, 0));
  }

  @Test
  void everyReplicaCountAndWeightSplitsSafely() {
    for (int replicas = 0; replicas <= 50; replicas++) {
      ReplicaSplit previous = null;
      for (int weight = 1; weight <= 100; weight++) {
        String at = replicas + " replicas at weight " + weight;
        ReplicaSplit byPods = ReplicaSplit.of(replicas, weight, false);
        ReplicaSplit exact = ReplicaSplit.of(replicas, weight, true);
        if (replicas == 0) {
          assertThat(byPods).as(at).isEqualTo(new ReplicaSplit(0, 0, 0));
          assertThat(exact).as(at).isEqualTo(new ReplicaSplit(0, 0, 0));
          continue;
        }
        int total = byPods.stable() + byPods.canary();
        assertThat(byPods.canary()).as(at).isBetween(1, replicas);
        assertThat(byPods.canary() * 100).as(at + ": the canary never gets less than its weight of the replicas")
            .isGreaterThanOrEqualTo(replicas * weight);
        if (weight < 100) {
          assertThat(byPods.stable()).as(at + ": a stable pod remains until the end").isGreaterThanOrEqualTo(1);
          assertThat(total).as(at + ": at most one pod more than asked, only to keep a stable pod")
              .isEqualTo(byPods.canary() == replicas ? replicas + 1 : replicas);
        } else {
          assertThat(byPods).as(at).isEqualTo(new ReplicaSplit(0, replicas, 100));
        }
        assertThat(byPods.canaryPercent()).as(at + ": the share really reached")
            .isEqualTo((int) Math.round(100.0 * byPods.canary() / total)).isBetween(1, 100);
        if (previous != null) {
          assertThat(byPods.canary()).as(at + ": a higher weight never shrinks the canary").isGreaterThanOrEqualTo(previous.canary());
          assertThat(byPods.canaryPercent()).as(at).isGreaterThanOrEqualTo(previous.canaryPercent());
        }
        previous = byPods;

        assertThat(exact.stable()).as(at).isEqualTo(replicas);
        assertThat(exact.canary()).as(at).isBetween(1, replicas);
        assertThat(exact.canary() * 100).as(at).isGreaterThanOrEqualTo(replicas * weight);
        assertThat((exact.canary() - 1) * 100).as(at + ": no more canary pods than the weight needs").isLessThan(replicas * weight);
        assertThat(exact.canaryPercent()).as(at).isEqualTo(weight);
      }
    }
  }
}
