package dev.flywheel.model.serve;

import dev.flywheel.model.bundle.Histogram;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.FeatureSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drift of served traffic against the bundle's training baseline: the population stability index (PSI) of each
 * feature and of the prediction over a sliding window of the most recent {@code window} scored rows. A PSI under
 * 0.1 is usually read as stable, 0.1–0.25 as a moderate shift, above 0.25 as a large one.
 */
final class DriftMonitor {
  private final List<String> names = new ArrayList<>();
  private final List<Histogram> baselines = new ArrayList<>();
  private final int[] featureIndex;
  private final Histogram prediction;
  private final boolean multiclass;
  private final List<String> classes;
  private final int window;
  private final int[][] ring;
  private final long[][] counts;
  private int next;
  private int filled;
  private final double[] predictionRing;

  /** Features without a baseline (imported models may have none) are not monitored. */
  DriftMonitor(ModelMetadata metadata, int window) {
    this.window = window;
    this.multiclass = metadata.isMulticlass();
    this.classes = metadata.classes();
    Map<String, Histogram> features = metadata.baseline() == null ? Map.of() : metadata.baseline().features();
    List<Integer> indices = new ArrayList<>();
    for (int f = 0; f < metadata.features().size(); f++) {
      FeatureSpec spec = metadata.features().get(f);
      Histogram h = features == null ? null : features.get(spec.name());
      if (h != null) {
        names.add(spec.name());
        baselines.add(h);
        indices.add(f);
      }
    }
    this.featureIndex = indices.stream().mapToInt(Integer::intValue).toArray();
    this.prediction = metadata.baseline() == null ? null : metadata.baseline().prediction();
    int tracked = baselines.size() + 1;
    this.ring = new int[window][tracked];
    this.counts = new long[tracked][];
    for (int i = 0; i < baselines.size(); i++) {
      counts[i] = new long[baselines.get(i).bins()];
    }
    counts[tracked - 1] = new long[prediction == null ? 1 : prediction.bins()];
    this.predictionRing = new double[window];
  }

  /** Records scored rows: raw feature values and the model's scores (finite: the server refuses rows it cannot score). */
  synchronized void observe(Object[][] rows, float[][] scores) {
    int tracked = baselines.size() + 1;
    for (int r = 0; r < rows.length; r++) {
      if (filled == window) {
        for (int t = 0; t < tracked; t++) {
          counts[t][ring[next][t]]--;
        }
      } else {
        filled++;
      }
      for (int i = 0; i < baselines.size(); i++) {
        Object value = rows[r][featureIndex[i]];
        Histogram h = baselines.get(i);
        int bin = value instanceof String s ? h.binOf(s) : h.binOf(((Number) value).doubleValue());
        ring[next][i] = bin;
        counts[i][bin]++;
      }
      double summary = summary(scores[r]);
      int predictionBin = prediction == null ? 0
          : multiclass ? prediction.binOf(classes.get((int) summary)) : prediction.binOf(summary);
      ring[next][tracked - 1] = predictionBin;
      counts[tracked - 1][predictionBin]++;
      predictionRing[next] = multiclass ? 0 : summary;
      next = (next + 1) % window;
    }
  }

  /** Binary: p(positive); multiclass: the predicted class index; regression: the value. */
  private static double summary(float[] scores) {
    if (scores.length == 1) {
      return scores[0];
    }
    int best = 0;
    for (int i = 1; i < scores.length; i++) {
      if (scores[i] > scores[best]) {
        best = i;
      }
    }
    return best;
  }

  List<String> features() {
    return names;
  }

  synchronized double featurePsi(int i) {
    return baselines.get(i).psi(counts[i]);
  }

  synchronized double predictionPsi() {
    return prediction == null ? 0 : prediction.psi(counts[baselines.size()]);
  }

  /**
   * Mean of the prediction summary over the window (binary: mean p(positive); regression: mean value), summed from
   * the window when read: no running sum, so a value that left the window leaves no trace (the server records
   * finite scores only).
   */
  synchronized double predictionMean() {
    if (filled == 0) {
      return 0;
    }
    double sum = 0;
    for (int i = 0; i < filled; i++) {
      sum += predictionRing[i];
    }
    return sum / filled;
  }

  synchronized int rows() {
    return filled;
  }
}
