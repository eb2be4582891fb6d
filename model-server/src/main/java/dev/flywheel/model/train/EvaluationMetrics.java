package dev.flywheel.model.train;

import dev.flywheel.model.data.Task;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Metrics on the held-out split: accuracy, AUC and F1 (binary, positive class = the second class);
 * accuracy and macro-F1 (multiclass); RMSE, MAE and R² (regression).
 */
public final class EvaluationMetrics {
  private EvaluationMetrics() {}

  /**
   * @param scores binary: probability of the positive class; multiclass: class probabilities; regression: the value
   * @param labels class index or true value per row
   */
  public static Map<String, Double> of(Task task, float[][] scores, double[] labels, int classes) {
    Map<String, Double> metrics = new TreeMap<>();
    switch (task) {
      case binaryClassification -> {
        double[] positive = Arrays.stream(scores).mapToDouble(s -> s[0]).toArray();
        int[] predicted = Arrays.stream(positive).mapToInt(p -> p >= 0.5 ? 1 : 0).toArray();
        metrics.put("accuracy", accuracy(predicted, labels));
        metrics.put("auc", auc(positive, labels));
        metrics.put("f1", f1(predicted, labels, 1));
      }
      case multiclassClassification -> {
        int[] predicted = Arrays.stream(scores).mapToInt(EvaluationMetrics::argmax).toArray();
        metrics.put("accuracy", accuracy(predicted, labels));
        double sum = 0;
        for (int c = 0; c < classes; c++) {
          sum += f1(predicted, labels, c);
        }
        metrics.put("macroF1", sum / classes);
      }
      case regression -> {
        double mean = Arrays.stream(labels).average().orElse(0);
        double squared = 0;
        double absolute = 0;
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
          double error = scores[i][0] - labels[i];
          squared += error * error;
          absolute += Math.abs(error);
          total += (labels[i] - mean) * (labels[i] - mean);
        }
        metrics.put("rmse", Math.sqrt(squared / labels.length));
        metrics.put("mae", absolute / labels.length);
        metrics.put("r2", total == 0 ? 0 : 1 - squared / total);
      }
    }
    return metrics;
  }

  static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private static double accuracy(int[] predicted, double[] labels) {
    int right = 0;
    for (int i = 0; i < labels.length; i++) {
      if (predicted[i] == (int) labels[i]) {
        right++;
      }
    }
    return right / (double) labels.length;
  }

  private static double f1(int[] predicted, double[] labels, int positive) {
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int i = 0; i < labels.length; i++) {
      boolean actual = (int) labels[i] == positive;
      boolean guessed = predicted[i] == positive;
      if (actual && guessed) tp++;
      else if (guessed) fp++;
      else if (actual) fn++;
    }
    return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  /** Area under the ROC curve by the rank-sum formula, ties sharing their average rank. */
  static double auc(double[] scores, double[] labels) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    double[] ranks = new double[scores.length];
    for (int i = 0; i < order.length; ) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        ranks[order[k]] = rank;
      }
      i = j + 1;
    }
    long positives = Arrays.stream(labels).filter(l -> l == 1).count();
    long negatives = labels.length - positives;
    if (positives == 0 || negatives == 0) {
      return 0.5;
    }
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] == 1) {
        sum += ranks[i];
      }
    }
    return (sum - positives * (positives + 1) / 2.0) / (positives * (double) negatives);
  }
}
