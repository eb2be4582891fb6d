package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.data.FeatureSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Open Inference Protocol infer request into raw feature rows: either one [B, F] numeric tensor (name
 * free, columns in the model's feature order) or one tensor of shape [B] or [B, 1] per feature, named after it
 * (BYTES for categorical features). Everything else is refused with a BadRequest that says what is wrong.
 */
final class InferenceRequestReader {
  private static final Set<String> NUMERIC = Set.of("FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");
  private static final Set<String> KNOWN = Set.of("BOOL", "BYTES", "FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");

  /** A request read: its id (the client's or null) and one raw row per instance. */
  record Parsed(String id, Object[][] rows) {}

  private final List<FeatureSpec> features;
  private final Map<String, Integer> featureIndex = new HashMap<>();
  private final int maxRows;
  private final boolean allNumeric;

  InferenceRequestReader(List<FeatureSpec> features, int maxRows) {
    this.features = features;
    this.maxRows = maxRows;
    for (int i = 0; i < features.size(); i++) {
      featureIndex.put(features.get(i).name(), i);
    }
    this.allNumeric = features.stream().allMatch(FeatureSpec::isNumeric);
  }

  Parsed read(byte[] body) throws BadRequest {
    JsonNode root;
    try {
      root = ServerJson.MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw BadRequest.of("malformed_json", "request body is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw BadRequest.of("malformed_json", "request body cannot be read");
    }
    if (root == null || !root.isObject()) {
      throw BadRequest.of("malformed_json", "request body must be a JSON object with an \"inputs\" array");
    }
    String id = null;
    if (root.has("id")) {
      if (!root.get("id").isTextual() || root.get("id").asText().length() > 256) {
        throw BadRequest.of("invalid_id", "\"id\" must be a string of at most 256 characters");
      }
      id = root.get("id").asText();
    }
    JsonNode inputs = root.get("inputs");
    if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
      throw BadRequest.of("missing_inputs", "request needs a non-empty \"inputs\" array of tensors");
    }
    for (JsonNode input : inputs) {
      if (!input.isObject() || !input.path("name").isTextual()) {
        throw BadRequest.of("malformed_tensor", "every input needs a \"name\" string");
      }
    }
    boolean matrix = inputs.size() == 1 && !featureIndex.containsKey(inputs.get(0).get("name").asText());
    return new Parsed(id, matrix ? readMatrix(inputs.get(0)) : readNamed(inputs));
  }

  private Object[][] readMatrix(JsonNode tensor) throws BadRequest {
    String name = tensor.get("name").asText();
    Tensor t = tensor(tensor, name);
    if (t.shape().length != 2 || t.shape()[1] != features.size()) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' must have shape [B, " + features.size() + "] (one column per feature: "
          + String.join(", ", features.stream().map(FeatureSpec::name).toList()) + "), got " + java.util.Arrays.toString(t.shape())
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
    for (int i = 0; i < t.values().size(); i++) {
      result[i / features.size()][i % features.size()] = number(t.values().get(i), name, t.datatype());
    }
    return result;
  }

  private Object[][] readNamed(JsonNode inputs) throws BadRequest {
    Object[][] result = null;
    boolean[] seen = new boolean[features.size()];
    for (JsonNode input : inputs) {
      String name = input.get("name").asText();
      Integer index = featureIndex.get(name);
      if (index == null) {
        throw BadRequest.of("unknown_feature", "unknown input '" + name + "': the model's features are "
            + String.join(", ", features.stream().map(FeatureSpec::name).toList()));
      }
      if (seen[index]) {
        throw BadRequest.of("duplicate_feature", "input '" + name + "' is given twice");
      }
      seen[index] = true;
      Tensor t = tensor(input, name);
      if (!(t.shape().length == 1 || (t.shape().length == 2 && t.shape()[1] == 1))) {
        throw BadRequest.of("wrong_shape", "input '" + name + "' must have shape [B] or [B, 1], got " + java.util.Arrays.toString(t.shape()));
      }
      int rows = rows(t.shape()[0]);
      if (result == null) {
        result = new Object[rows][features.size()];
      } else if (result.length != rows) {
        throw BadRequest.of("wrong_shape", "inputs disagree on the batch size: '" + name + "' has " + rows + " rows, others " + result.length);
      }
      FeatureSpec feature = features.get(index);
      for (int r = 0; r < rows; r++) {
        JsonNode value = t.values().get(r);
        if (feature.isNumeric()) {
          if (!NUMERIC.contains(t.datatype())) {
            throw BadRequest.of("wrong_datatype", "input '" + name + "' is numeric: use a numeric datatype such as FP32, not " + t.datatype());
          }
          result[r][index] = number(value, name, t.datatype());
        } else {
          if (!"BYTES".equals(t.datatype()) || !value.isTextual()) {
            throw BadRequest.of("wrong_datatype", "input '" + name + "' is categorical: send BYTES strings, for example \""
                + feature.vocabulary().get(0) + "\"");
          }
          result[r][index] = value.asText();
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

  private record Tensor(long[] shape, String datatype, List<JsonNode> values) {}

  private Tensor tensor(JsonNode input, String name) throws BadRequest {
    JsonNode shapeNode = input.get("shape");
    if (shapeNode == null || !shapeNode.isArray() || shapeNode.isEmpty()) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' needs a \"shape\" array");
    }
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode dim = shapeNode.get(i);
      if (!dim.isIntegralNumber() || dim.asLong() < 0) {
        throw BadRequest.of("wrong_shape", "input '" + name + "' has a shape with a dimension that is not a whole number ≥ 0: " + shapeNode);
      }
      shape[i] = dim.asLong();
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException e) {
        throw BadRequest.of("wrong_shape", "input '" + name + "' has a shape too large to hold: " + shapeNode);
      }
    }
    if (shape[0] > maxRows) {
      throw new BadRequest(413, "too_many_rows", "a request may carry at most " + maxRows + " rows, input '" + name + "' has " + shape[0]);
    }
    JsonNode datatype = input.get("datatype");
    if (datatype == null || !datatype.isTextual() || !KNOWN.contains(datatype.asText())) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' needs a \"datatype\" of the Open Inference Protocol (FP32, INT64, BYTES, …), got " + datatype);
    }
    JsonNode data = input.get("data");
    if (data == null || !data.isArray()) {
      throw BadRequest.of("malformed_tensor", "input '" + name + "' needs a \"data\" array");
    }
    List<JsonNode> values = new ArrayList<>();
    flatten(data, values, count);
    if (values.size() != count) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' has " + values.size() + " values but its shape " + shapeNode + " needs " + count);
    }
    return new Tensor(shape, datatype.asText(), values);
  }

  private static void flatten(JsonNode node, List<JsonNode> into, long limit) throws BadRequest {
    for (JsonNode item : node) {
      if (item.isArray()) {
        flatten(item, into, limit);
      } else {
        into.add(item);
      }
      if (into.size() > limit) {
        return;
      }
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

  private static Double number(JsonNode value, String name, String datatype) throws BadRequest {
    if (!value.isNumber()) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' (" + datatype + ") holds a value that is not a number: " + value);
    }
    double x = value.asDouble();
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      throw BadRequest.of("non_finite", "input '" + name + "' holds NaN or infinity");
    }
    if (datatype.startsWith("INT") || datatype.startsWith("UINT")) {
      if (!value.isIntegralNumber()) {
        throw BadRequest.of("wrong_datatype", "input '" + name + "' is " + datatype + " but holds " + value);
      }
    }
    return x;
  }
}
