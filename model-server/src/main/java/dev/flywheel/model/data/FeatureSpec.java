package dev.flywheel.model.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One input column as the model sees it: numeric (standardised with the training split's mean and std) or
 * categorical (one-hot over the training split's vocabulary; a value outside it encodes as all zeros).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FeatureSpec(String name, String type, Double mean, Double std, List<String> vocabulary) {
  public static final String NUMERIC = "numeric";
  public static final String CATEGORICAL = "categorical";

  public static FeatureSpec numeric(String name, double mean, double std) {
    return new FeatureSpec(name, NUMERIC, mean, std, null);
  }

  public static FeatureSpec categorical(String name, List<String> vocabulary) {
    return new FeatureSpec(name, CATEGORICAL, null, null, vocabulary);
  }

  @JsonIgnore
  public boolean isNumeric() {
    return NUMERIC.equals(type);
  }

  /** How many model inputs this feature becomes. */
  public int width() {
    return isNumeric() ? 1 : vocabulary.size();
  }

  /** Writes the encoded feature into row at offset; value is a Double (numeric) or a String (categorical). */
  public void encode(Object value, float[] row, int offset) {
    if (isNumeric()) {
      double x = ((Number) value).doubleValue();
      double scale = std == null || std == 0 ? 1 : std;
      row[offset] = (float) ((x - (mean == null ? 0 : mean)) / scale);
    } else {
      int index = vocabulary.indexOf((String) value);
      if (index >= 0) {
        row[offset + index] = 1f;
      }
    }
  }
}
