package dev.flywheel.model.serve;

import dev.flywheel.model.data.FeatureSpec;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the input tensors of an infer request, from any wire protocol, into raw feature rows: either one [B, F]
 * numeric tensor (name free, columns in the model's feature order) or one tensor of shape [B] or [B, 1] per feature,
 * named after it (BYTES for categorical features). Everything else is refused with a BadRequest that says what is wrong.
 */
final class TensorRows {
  static final Set<String> NUMERIC = Set.of("FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");
  static final Set<String> KNOWN = Set.of("BOOL", "BYTES", "FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");

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

  int maxRows() {
    return maxRows;
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
    if (!NUMERIC.contains(t.datatype())) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' must have a numeric datatype such as FP32, got " + t.datatype());
    }
    int rows = rows(t.shape()[0]);
    Object[][] result = new Object[rows][features.size()];
    for (int i = 0; i < t.size(); i++) {
      result[i / features.size()][i % features.size()] = number(t, i);
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
            + String.join(", ", features.stream().map(FeatureSpec::name).toList()));
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
          if (!NUMERIC.contains(t.datatype())) {
            throw BadRequest.of("wrong_datatype", "input '" + name + "' is numeric: use a numeric datatype such as FP32, not " + t.datatype());
          }
          result[r][index] = number(t, r);
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
    String name = t.name();
    long[] shape = t.shape();
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
    if (t.datatype() == null || !KNOWN.contains(t.datatype())) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' needs a \"datatype\" of the Open Inference Protocol (FP32, INT64, BYTES, …), got "
          + (t.datatype() == null ? "null" : "\"" + t.datatype() + "\""));
    }
    if (t.size() != count) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' has " + t.size() + " values but its shape " + Arrays.toString(shape) + " needs " + count);
    }
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

  private static Double number(InputTensor t, int index) throws BadRequest {
    String name = t.name();
    String datatype = t.datatype();
    if (!t.isNumber(index)) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' (" + datatype + ") holds a value that is not a number: " + t.show(index));
    }
    double x = t.number(index);
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      throw BadRequest.of("non_finite", "input '" + name + "' holds NaN or infinity");
    }
    if ((datatype.startsWith("INT") || datatype.startsWith("UINT")) && !t.isWholeNumber(index)) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' is " + datatype + " but holds " + t.show(index));
    }
    return x;
  }
}
