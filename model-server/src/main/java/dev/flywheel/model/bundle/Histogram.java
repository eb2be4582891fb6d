package dev.flywheel.model.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Arrays;
import java.util.List;

/**
 * A baseline distribution stored in the bundle, against which served traffic is compared (population stability
 * index). Numeric: bins split at {@code edges} (deciles of the training data; values below the first edge fall in
 * bin 0, at or above the last in the last bin). Categorical: one bin per category plus a last bin for anything else.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Histogram(double[] edges, List<String> categories, double[] proportions) {
  /** Smallest proportion used in PSI, so empty bins do not make it infinite. */
  public static final double EPSILON = 1e-4;
  private static final int BINS = 10;

  /** A decile histogram of numeric values. */
  public static Histogram numeric(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double[] edges = Arrays.stream(new int[BINS - 1]).asDoubleStream().toArray();
    for (int i = 1; i < BINS; i++) {
      edges[i - 1] = sorted[(int) Math.min(sorted.length - 1, Math.floor(i * sorted.length / (double) BINS))];
    }
    edges = Arrays.stream(edges).distinct().toArray();
    Histogram empty = new Histogram(edges, null, null);
    double[] counts = new double[edges.length + 1];
    for (double v : values) {
      counts[empty.binOf(v)]++;
    }
    return new Histogram(edges, null, normalise(counts));
  }

  /** A histogram of categorical values over the given categories (plus "other"). */
  public static Histogram categorical(List<String> values, List<String> categories) {
    Histogram empty = new Histogram(null, categories, null);
    double[] counts = new double[categories.size() + 1];
    for (String v : values) {
      counts[empty.binOf(v)]++;
    }
    return new Histogram(null, categories, normalise(counts));
  }

  /** Number of bins. */
  public int bins() {
    return edges != null ? edges.length + 1 : categories.size() + 1;
  }

  /** The bin of a numeric value. */
  public int binOf(double value) {
    int bin = 0;
    while (bin < edges.length && value >= edges[bin]) {
      bin++;
    }
    return bin;
  }

  /** The bin of a categorical value. */
  public int binOf(String value) {
    int index = categories.indexOf(value);
    return index >= 0 ? index : categories.size();
  }

  /** Population stability index of observed bin counts against this baseline (0 when there is nothing observed). */
  public double psi(long[] counts) {
    long total = Arrays.stream(counts).sum();
    if (total == 0) {
      return 0;
    }
    double psi = 0;
    for (int i = 0; i < proportions.length; i++) {
      double expected = Math.max(proportions[i], EPSILON);
      double actual = Math.max(counts[i] / (double) total, EPSILON);
      psi += (actual - expected) * Math.log(actual / expected);
    }
    return psi;
  }

  private static double[] normalise(double[] counts) {
    double total = Arrays.stream(counts).sum();
    return Arrays.stream(counts).map(c -> total == 0 ? 0 : c / total).toArray();
  }
}
