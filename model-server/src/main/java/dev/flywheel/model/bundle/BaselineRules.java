package dev.flywheel.model.bundle;

import dev.flywheel.model.data.FeatureSpec;
import java.util.Map;

/**
 * The rules an optional {@code baseline} (drift histograms) must keep, so that drift monitoring can bin every served
 * value: histograms only for listed features, numeric features binned by {@code edges} and categorical ones by
 * {@code categories}, the prediction by edges (binary, regression) or by categories (multiclass), one finite,
 * non-negative proportion per bin.
 */
final class BaselineRules {
  private BaselineRules() {}

  static void check(ModelMetadata m) throws InvalidBundleException {
    ModelMetadata.Baseline baseline = m.baseline();
    if (baseline == null) {
      return;
    }
    Map<String, Histogram> features = baseline.features() == null ? Map.of() : baseline.features();
    for (Map.Entry<String, Histogram> entry : features.entrySet()) {
      FeatureSpec feature = m.features().stream().filter(f -> f.name().equals(entry.getKey())).findFirst()
          .orElseThrow(() -> refuse("has a histogram for '" + entry.getKey() + "', which is not one of the features"));
      checkHistogram("feature '" + feature.name() + "'", entry.getValue(), feature.isNumeric());
    }
    if (baseline.prediction() != null) {
      checkHistogram("prediction", baseline.prediction(), !m.isMulticlass());
    }
  }

  private static void checkHistogram(String what, Histogram h, boolean numeric) throws InvalidBundleException {
    if (h == null) {
      throw refuse(what + " has an empty histogram");
    }
    if (numeric != (h.edges() != null) || (h.edges() != null) == (h.categories() != null)) {
      throw refuse(what + " needs a histogram with " + (numeric ? "edges (numeric values)" : "categories") + " and not the other");
    }
    if (numeric) {
      for (int i = 0; i < h.edges().length; i++) {
        if (!Double.isFinite(h.edges()[i]) || (i > 0 && h.edges()[i] <= h.edges()[i - 1])) {
          throw refuse(what + " needs finite edges in ascending order");
        }
      }
    }
    if (h.proportions() == null || h.proportions().length != h.bins()) {
      throw refuse(what + " needs " + h.bins() + " proportions (one per bin" + (numeric ? ": edges + 1" : ": categories + 1 for any other value")
          + "), got " + (h.proportions() == null ? 0 : h.proportions().length));
    }
    for (double p : h.proportions()) {
      if (!Double.isFinite(p) || p < 0) {
        throw refuse(what + " has a proportion " + p + "; proportions are finite and not negative");
      }
    }
  }

  private static InvalidBundleException refuse(String reason) {
    return new InvalidBundleException(ModelMetadata.FILE + " baseline: " + reason);
  }
}
