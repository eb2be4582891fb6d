package dev.flywheel.model.serve;

import dev.flywheel.model.data.FeatureSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the input tensors of an infer request, from any wire protocol, into raw feature rows: either one [B, F]
 * numeric tensor (name free, columns in the model's feature order) or one tensor of shape [B] or [B, 1] per feature,
 * named after it (BYTES for categorical features). Every value must fit its datatype ({@link Datatypes}) and, once
 * standardised, the model's FP32 input. Everything else is refused with a BadRequest that says what is wrong.
 */
final class TensorRows {
  private final List<FeatureSpec> features;
  private final Map<String, Integer> featureIndex = new HashMap<>();
  private final int maxRows;
  private final boolean allNumeric;

  TensorRows(List<FeatureSpec> features, int maxRows) {
    this.features = features;
    this.maxRows = maxRows;
    for (int i = 0; i < features.size(); i++) {
      featureIndex.put(features.get(i).name(), i);
    }
    this.allNumeric = features.stream().allMatch(FeatureSpec::isNumeric);
  }

  /** One raw row per instance (Double for numeric features, String for categorical ones). */
  Object[][] rows(List<? extends InputTensor> inputs) throws BadRequest {
    if (inputs.isEmpty()) {
      throw BadRequest.of("missing_inputs", "request needs a non-empty \"inputs\" array of tensors");
    }
    for (InputTensor input : inputs) {
      check(input);
    }
    boolean matrix = inputs.size() == 1 && !featureIndex.containsKey(inputs.get(0).name());
    return matrix ? readMatrix(inputs.get(0)) : readNamed(inputs);
  }

  private Object[][] readMatrix(InputTensor t) throws BadRequest {
    String name = t.name();
    if (t.shape().length != 2 || t.shape()[1] != features.size()) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' must have shape [B, " + features.size() + "] (one column per feature: "
          + String.join(", ", features.stream().map(FeatureSpec::name).toList()) + "), got " + Arrays.toString(t.shape())
          + "; or send one tensor per feature, named after it");
    }
    if (!allNumeric) {
      throw BadRequest.of("wrong_datatype", "this model has categorical features; send one tensor per feature, named after it (BYTES for "
          + String.join(", ", features.stream().filter(f -> !f.isNumeric()).map(FeatureSpec::name).toList()) + ")");
    }
    if (!Datatypes.NUMERIC.contains(t.datatype())) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' must have a numeric datatype such as FP32, got " + t.datatype());
    }
    int rows = rows(t.shape()[0]);
    Object[][] result = new Object[rows][features.size()];
    for (int i = 0; i < t.size(); i++) {
      result[i / features.size()][i % features.size()] = modelValue(t, i, features.get(i % features.size()));
    }
    return result;
  }

  private Object[][] readNamed(List<? extends InputTensor> inputs) throws BadRequest {
    Object[][] result = null;
    boolean[] seen = new boolean[features.size()];
    for (InputTensor t : inputs) {
      String name = t.name();
      Integer index = featureIndex.get(name);
      if (index == null) {
        throw BadRequest.of("unknown_feature", "unknown input '" + name + "': the model's features are "
            + String.join(", ", features.stream().map(FeatureSpec::name).toList())
            + (allNumeric ? "; send either one tensor per feature, or one batched [B, " + features.size() + "] tensor alone" : ""));
      }
      if (seen[index]) {
        throw BadRequest.of("duplicate_feature", "input '" + name + "' is given twice");
      }
      seen[index] = true;
      if (!(t.shape().length == 1 || (t.shape().length == 2 && t.shape()[1] == 1))) {
        throw BadRequest.of("wrong_shape", "input '" + name + "' must have shape [B] or [B, 1], got " + Arrays.toString(t.shape()));
      }
      int rows = rows(t.shape()[0]);
      if (result == null) {
        result = new Object[rows][features.size()];
      } else if (result.length != rows) {
        throw BadRequest.of("wrong_shape", "inputs disagree on the batch size: '" + name + "' has " + rows + " rows, others " + result.length);
      }
      FeatureSpec feature = features.get(index);
      for (int r = 0; r < rows; r++) {
        if (feature.isNumeric()) {
          if (!Datatypes.NUMERIC.contains(t.datatype())) {
            throw BadRequest.of("wrong_datatype", "input '" + name + "' is numeric: use a numeric datatype such as FP32, not " + t.datatype());
          }
          result[r][index] = modelValue(t, r, feature);
        } else {
          if (!"BYTES".equals(t.datatype()) || !t.isText(r)) {
            throw BadRequest.of("wrong_datatype", "input '" + name + "' is categorical: send BYTES strings, for example \""
                + feature.vocabulary().get(0) + "\"");
          }
          result[r][index] = t.text(r);
        }
      }
    }
    for (int f = 0; f < seen.length; f++) {
      if (!seen[f]) {
        throw BadRequest.of("missing_feature", "missing input for feature '" + features.get(f).name() + "'");
      }
    }
    return result;
  }

  /** The shape, datatype and value count every tensor must have, whatever its role. */
  private void check(InputTensor t) throws BadRequest {
    long count = header(t.name(), t.shape(), t.datatype());
    if (t.size() != count) {
      throw BadRequest.of("wrong_shape", "input '" + t.name() + "' has " + t.size() + " values but its shape " + Arrays.toString(t.shape())
          + " needs " + count);
    }
  }

  /**
   * Checks a tensor's header — a shape of whole numbers ≥ 0 whose product fits a long, at most the row limit, a known
   * datatype — and gives how many values the shape holds. A protocol calls it before it reads the values, so that a
   * request too large is refused (413) before its data is walked.
   */
  long header(String name, long[] shape, String datatype) throws BadRequest {
    if (shape.length == 0) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' needs a \"shape\" array");
    }
    long count = 1;
    for (long dimension : shape) {
      if (dimension < 0) {
        throw BadRequest.of("wrong_shape", "input '" + name + "' has a shape with a dimension that is not a whole number ≥ 0: "
            + Arrays.toString(shape));
      }
      try {
        count = Math.multiplyExact(count, dimension);
      } catch (ArithmeticException e) {
        throw BadRequest.of("wrong_shape", "input '" + name + "' has a shape too large to hold: " + Arrays.toString(shape));
      }
    }
    if (shape[0] > maxRows) {
      throw new BadRequest(413, "too_many_rows", "a request may carry at most " + maxRows + " rows, input '" + name + "' has " + shape[0]);
    }
    if (datatype == null || !Datatypes.KNOWN.contains(datatype)) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' needs a \"datatype\" of the Open Inference Protocol (FP32, INT64, BYTES, …), got "
          + (datatype == null ? "null" : "\"" + datatype + "\""));
    }
    return count;
  }

  private int rows(long batch) throws BadRequest {
    if (batch < 1) {
      throw BadRequest.of("wrong_shape", "the batch must have at least one row");
    }
    if (batch > maxRows) {
      throw new BadRequest(413, "too_many_rows", "a request may carry at most " + maxRows + " rows, this one has " + batch);
    }
    return (int) batch;
  }

  /**
   * A numeric value the model can take: it fits its datatype ({@link Datatypes}) and, standardised, it is still a finite
   * FP32 number (the model's input).
   */
  private static Double modelValue(InputTensor t, int index, FeatureSpec feature) throws BadRequest {
    double x = Datatypes.number(t, index);
    float[] encoded = new float[1];
    feature.encode(x, encoded, 0);
    if (!Float.isFinite(encoded[0])) {
      throw BadRequest.of("out_of_range", "input '" + t.name() + "' holds " + x + " for feature '" + feature.name()
          + "', too large for the model, which computes in FP32 (standardised it is " + encoded[0] + ")");
    }
    return x;
  }
}
