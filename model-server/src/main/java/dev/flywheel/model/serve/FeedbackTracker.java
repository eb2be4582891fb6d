package dev.flywheel.model.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers recent predictions by request id and scores delayed ground-truth labels against them: online accuracy
 * (classification) or mean absolute error (regression) over the most recent {@code window} labelled rows.
 */
final class FeedbackTracker {
  /** What a request predicted: class names (classification) or values (regression). */
  record Prediction(String[] classes, double[] values) {
    int size() {
      return classes != null ? classes.length : values.length;
    }
  }

  private final Map<String, Prediction> recent;
  private final double[] outcomes;
  private int next;
  private int filled;
  private double sum;

  FeedbackTracker(int rememberedRequests, int window) {
    this.recent = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Prediction> eldest) {
        return size() > rememberedRequests;
      }
    };
    this.outcomes = new double[window];
  }

  synchronized void remember(String id, Prediction prediction) {
    recent.put(id, prediction);
  }

  /** The prediction a request made, or null when the id is unknown or forgotten. */
  synchronized Prediction prediction(String id) {
    return recent.get(id);
  }

  /** Records one labelled row: 1/0 for a right/wrong class, or the absolute error. */
  synchronized void record(double outcome) {
    if (filled == outcomes.length) {
      sum -= outcomes[next];
    } else {
      filled++;
    }
    outcomes[next] = outcome;
    sum += outcome;
    next = (next + 1) % outcomes.length;
  }

  /** Online accuracy or mean absolute error over the window; NaN before any feedback. */
  synchronized double windowMean() {
    return filled == 0 ? Double.NaN : sum / filled;
  }

  synchronized int windowRows() {
    return filled;
  }
}
