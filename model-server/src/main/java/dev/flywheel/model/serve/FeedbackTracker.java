package dev.flywheel.model.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Remembers what the most recent requests predicted, by request id (bounded: the oldest are forgotten), lets each
 * take its labels once, and scores the labels: online accuracy (classification) or mean absolute error
 * (regression) over the most recent {@code window} labelled rows. The mean is computed from the window itself when
 * read, so no value that once entered it can bias it after it left.
 */
final class FeedbackTracker {
  /**
   * What a request predicted: class names (classification) or values (regression).
   *
   * @param serial which remembered prediction this is (-1 before it is remembered): label() takes it only while the id
   *     still has this very prediction
   */
  record Prediction(String[] classes, double[] values, long serial) {
    Prediction(String[] classes, double[] values) {
      this(classes, values, -1);
    }

    int size() {
      return classes != null ? classes.length : values.length;
    }
  }

  /** Where a request id stands for feedback. */
  enum Standing { UNKNOWN, OPEN, LABELLED }

  private final RecentPredictions recent;
  private final double[] outcomes;
  private int next;
  private int filled;

  /** Rows remembered in all, whatever the number of requests: 4 MiB of class numbers, or 8 MiB of regression values. */
  static final int REMEMBERED_ROWS = 1 << 20;

  /** Remembers the last rememberedRequests requests, as long as their rows are among the last {@link #REMEMBERED_ROWS}. */
  FeedbackTracker(int rememberedRequests, int window) {
    this.recent = new RecentPredictions(rememberedRequests, REMEMBERED_ROWS);
    this.outcomes = new double[window];
  }

  /** A request was scored; an id scored again takes its labels again, for its new prediction. */
  synchronized void remember(String id, Prediction prediction) {
    recent.put(id, prediction.classes(), prediction.values());
  }

  synchronized Standing standing(String id) {
    RecentPredictions.Entry entry = recent.find(id);
    return entry == null ? Standing.UNKNOWN : entry.labelled() ? Standing.LABELLED : Standing.OPEN;
  }

  /** The prediction a request made and that still waits for labels, or null. */
  synchronized Prediction open(String id) {
    RecentPredictions.Entry entry = recent.find(id);
    return entry == null || entry.labelled() ? null : new Prediction(recent.classes(entry), recent.values(entry), entry.serial());
  }

  /**
   * Labels several requests at once, all or none: each must still be open with the prediction that was checked
   * (another feedback may have come in between, or the id was scored again). Then their outcomes enter the window.
   *
   * @param checked per id, the prediction {@link #open} gave
   * @param rowOutcomes per labelled row: 1/0 for a right/wrong class, or the absolute error
   * @return the ids that were no longer open (nothing was recorded then), or an empty list
   */
  synchronized List<String> label(Map<String, Prediction> checked, List<Double> rowOutcomes) {
    List<String> lost = new ArrayList<>();
    List<RecentPredictions.Entry> entries = new ArrayList<>();
    checked.forEach((id, prediction) -> {
      RecentPredictions.Entry entry = recent.find(id);
      if (entry == null || entry.labelled() || entry.serial() != prediction.serial()) {
        lost.add(id);
      } else {
        entries.add(entry);
      }
    });
    if (!lost.isEmpty()) {
      return lost;
    }
    entries.forEach(recent::markLabelled);
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
