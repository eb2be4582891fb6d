package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The feedback memory is bounded, a request takes labels once, and the online mean forgets what left its window. */
class FeedbackTrackerTest {
  private static FeedbackTracker.Prediction predicted(String... classes) {
    return new FeedbackTracker.Prediction(classes, null);
  }

  @Test
  void rememberedRequestsAreBoundedAndTheOldestAreForgotten() {
    FeedbackTracker tracker = new FeedbackTracker(3, 10);
    for (int i = 0; i < 5; i++) {
      tracker.remember("r" + i, predicted("yes"));
    }
    assertThat(tracker.standing("r0")).isEqualTo(FeedbackTracker.Standing.UNKNOWN);
    assertThat(tracker.standing("r1")).isEqualTo(FeedbackTracker.Standing.UNKNOWN);
    assertThat(tracker.standing("r2")).isEqualTo(FeedbackTracker.Standing.OPEN);
    assertThat(tracker.standing("r4")).isEqualTo(FeedbackTracker.Standing.OPEN);
  }

  @Test
  void aRequestTakesLabelsOnceAndAllOrNone() {
    FeedbackTracker tracker = new FeedbackTracker(10, 10);
    FeedbackTracker.Prediction a = predicted("yes");
    FeedbackTracker.Prediction b = predicted("no");
    tracker.remember("a", a);
    tracker.remember("b", b);
    FeedbackTracker.Prediction openA = tracker.open("a");
    FeedbackTracker.Prediction openB = tracker.open("b");
    assertThat(openA.classes()).containsExactly("yes");
    assertThat(tracker.label(Map.of("a", openA), List.of(1.0))).isEmpty();
    assertThat(tracker.standing("a")).isEqualTo(FeedbackTracker.Standing.LABELLED);
    assertThat(tracker.open("a")).isNull();
    assertThat(tracker.label(Map.of("a", openA, "b", openB), List.of(0.0, 0.0))).containsExactly("a");
    assertThat(tracker.standing("b")).as("none of a refused batch is taken").isEqualTo(FeedbackTracker.Standing.OPEN);
    assertThat(tracker.windowRows()).isEqualTo(1);
    assertThat(tracker.windowMean()).isEqualTo(1.0);
  }

  @Test
  void aPredictionReadBeforeTheIdWasScoredAgainIsNotLabelled() {
    FeedbackTracker tracker = new FeedbackTracker(10, 10);
    tracker.remember("a", predicted("yes"));
    FeedbackTracker.Prediction before = tracker.open("a");
    tracker.remember("a", predicted("no"));
    assertThat(tracker.label(Map.of("a", before), List.of(1.0))).containsExactly("a");
    assertThat(tracker.open("a").classes()).containsExactly("no");
    assertThat(tracker.windowRows()).isZero();
  }

  @Test
  void theWindowMeanKeepsNoTraceOfValuesThatLeftIt() {
    FeedbackTracker tracker = new FeedbackTracker(100, 3);
    List<Double> outcomes = List.of(3e38, 1.0, 1.0, 2.0, 1.0);
    for (int i = 0; i < outcomes.size(); i++) {
      FeedbackTracker.Prediction p = new FeedbackTracker.Prediction(null, new double[] {0});
      tracker.remember("r" + i, p);
      tracker.label(Map.of("r" + i, tracker.open("r" + i)), List.of(outcomes.get(i)));
    }
    assertThat(tracker.windowMean()).isEqualTo(4.0 / 3);
  }
}
