package dev.flywheel.model.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers what the most recent requests predicted, by request id (bounded: the oldest are forgotten), lets each
 * take its labels once, and scores the labels: online accuracy (classification) or mean absolute error
 * (regression) over the most recent {@code window} labelled rows. The mean is computed from the window itself when
 * read, so no value that once entered it can bias it after it left.
 */
final class FeedbackTracker {
  /** What a request predicted: class names (classification) or values (regression). */
  record Prediction(String[] classes, double[] values) {
    int size() {
      return classes != null ? classes.length : values.length;
    }
  }

  /** Where a request id stands for feedback. */
  enum Standing { UNKNOWN, OPEN, LABELLED }

  /** Kept in place of a prediction once its labels came: the id stays known (a replay is told apart), its rows go. */
  private static final Prediction LABELLED = new Prediction(new String[0], null);

  private final Map<String, Prediction> recent;
  private final double[] outcomes;
  private int next;
  private int filled;

  FeedbackTracker(int rememberedRequests, int window) {
    this.recent = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Prediction> eldest) {
        return size() > rememberedRequests;
      }
    };
    this.outcomes = new double[window];
  }

  /** A request was scored; an id scored again takes its labels again, for its new prediction. */
  synchronized void remember(String id, Prediction prediction) {
    recent.remove(id); // re-inserted as the newest
    recent.put(id, prediction);
  }

  synchronized Standing standing(String id) {
    Prediction prediction = recent.get(id);
    return prediction == null ? Standing.UNKNOWN : prediction == LABELLED ? Standing.LABELLED : Standing.OPEN;
  }

  /** The prediction a request made and that still waits for labels, or null. */
  synchronized Prediction open(String id) {
    Prediction prediction = recent.get(id);
    return prediction == LABELLED ? null : prediction;
  }

  /**
   * Labels several requests at once, all or none: each must still be open with the prediction that was checked
   * (another feedback may have come in between). Then their outcomes enter the window.
   *
   * @param rowOutcomes per labelled row: 1/0 for a right/wrong class, or the absolute error
   * @return the ids that were no longer open (nothing was recorded then), or an empty list
   */
  synchronized List<String> label(Map<String, Prediction> checked, List<Double> rowOutcomes) {
    List<String> lost = new ArrayList<>();
    checked.forEach((id, prediction) -> {
      if (recent.get(id) != prediction) {
        lost.add(id);
      }
    });
    if (!lost.isEmpty()) {
      return lost;
    }
    checked.keySet().forEach(id -> recent.put(id, LABELLED));
    rowOutcomes.forEach(this::record);
    return lost;
  }

  private void record(double outcome) {
    outcomes[next] = outcome;
    next = (next + 1) % outcomes.length;
    filled = Math.min(filled + 1, outcomes.length);
  }

  /** Online accuracy or mean absolute error over the window; NaN before any feedback. */
  synchronized double windowMean() {
    if (filled == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < filled; i++) {
      sum += outcomes[i];
    }
    return sum / filled;
  }

  synchronized int windowRows() {
    return filled;
  }
}
