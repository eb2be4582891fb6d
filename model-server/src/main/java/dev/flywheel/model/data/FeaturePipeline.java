package dev.flywheel.model.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns raw feature values into the model's input vector; fitted on the training split only. */
public record FeaturePipeline(List<FeatureSpec> features) {

  /** Fits standardisation statistics and vocabularies on the given rows. */
  public static FeaturePipeline fit(TabularData data, int[] rows) {
    List<FeatureSpec> specs = new ArrayList<>();
    for (int f = 0; f < data.featureNames().size(); f++) {
      String name = data.featureNames().get(f);
      if (data.isNumeric(f)) {
        double sum = 0;
        for (int r : rows) {
          sum += (Double) data.rows().get(r)[f];
        }
        double mean = sum / rows.length;
        double squares = 0;
        for (int r : rows) {
          double d = (Double) data.rows().get(r)[f] - mean;
          squares += d * d;
        }
        double std = Math.sqrt(squares / rows.length);
        specs.add(FeatureSpec.numeric(name, mean, std == 0 ? 1 : std));
      } else {
        Map<String, Integer> counts = new HashMap<>();
        for (int r : rows) {
          counts.merge((String) data.rows().get(r)[f], 1, Integer::sum);
        }
        List<String> vocabulary = counts.keySet().stream()
            .sorted(Comparator.comparing((String v) -> -counts.get(v)).thenComparing(v -> v))
            .toList();
        specs.add(FeatureSpec.categorical(name, vocabulary));
      }
    }
    return new FeaturePipeline(List.copyOf(specs));
  }

  /** Number of model inputs. */
  public int inputSize() {
    int size = 0;
    for (FeatureSpec feature : features) { // a loop, not a stream: this runs for every row served
      size += feature.width();
    }
    return size;
  }

  /** Encodes one raw row (Double for numeric features, String for categorical) into the model's input. */
  public float[] encode(Object[] raw) {
    float[] row = new float[inputSize()];
    int offset = 0;
    for (int f = 0; f < features.size(); f++) {
      features.get(f).encode(raw[f], row, offset);
      offset += features.get(f).width();
    }
    return row;
  }

  /** A plausible raw row: each numeric feature at its training mean, each categorical at its most common value. */
  public Object[] typicalRow() {
    return features.stream()
        .map(f -> f.isNumeric() ? (Object) (f.mean() == null ? 0.0 : f.mean()) : f.vocabulary().get(0))
        .toArray();
  }

  /** Encodes the given rows of the data. */
  public float[][] encode(TabularData data, int[] rows) {
    float[][] encoded = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      encoded[i] = encode(data.rows().get(rows[i]));
    }
    return encoded;
  }
}
