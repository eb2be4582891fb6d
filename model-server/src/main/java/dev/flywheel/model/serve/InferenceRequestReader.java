package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.flywheel.model.data.FeatureSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an Open Inference Protocol infer request into raw feature rows: either one [B, F] numeric tensor (name
 * free, columns in the model's feature order) or one tensor of shape [B] or [B, 1] per feature, named after it
 * (BYTES for categorical features); and the outputs it asks for. Every value must fit its datatype and, once
 * standardised, the model's FP32 input. Everything else is refused with a BadRequest that says what is wrong.
 */
final class InferenceRequestReader {
  /** A request read: its id (the client's or null), one raw row per instance, and the outputs to answer (in order). */
  record Parsed(String id, Object[][] rows, List<String> outputs) {}

  private final List<FeatureSpec> features;
  private final Map<String, Integer> featureIndex = new HashMap<>();
  private final int maxRows;
  private final boolean allNumeric;
  private final List<String> outputNames;

  /** @param outputNames the outputs the server can answer, in the order it answers them by default */
  InferenceRequestReader(List<FeatureSpec> features, int maxRows, List<String> outputNames) {
    this.features = features;
    this.maxRows = maxRows;
    this.outputNames = List.copyOf(outputNames);
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
    List<String> outputs = outputs(root.get("outputs"));
    boolean matrix = inputs.size() == 1 && !featureIndex.containsKey(inputs.get(0).get("name").asText());
    return new Parsed(id, matrix ? readMatrix(inputs.get(0)) : readNamed(inputs), outputs);
  }

  /** The outputs the request names ("outputs": [{"name": …}, …]), or all of them when it names none. */
  private List<String> outputs(JsonNode requested) throws BadRequest {
    if (requested == null || requested.isNull()) {
      return outputNames;
    }
    if (!requested.isArray()) {
      throw BadRequest.of("unknown_output", "\"outputs\" must be an array of {\"name\": …}; this model's outputs are " + outputNames);
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (JsonNode output : requested) {
      if (!output.isObject() || !output.path("name").isTextual()) {
        throw BadRequest.of("unknown_output", "every requested output needs a \"name\" string; this model's outputs are " + outputNames);
      }
      String name = output.get("name").asText();
      if (!outputNames.contains(name)) {
        throw BadRequest.of("unknown_output", "unknown output '" + name + "': this model's outputs are " + outputNames);
      }
      if (!chosen.add(name)) {
        throw BadRequest.of("unknown_output", "output '" + name + "' is requested twice");
      }
    }
    return chosen.isEmpty() ? outputNames : List.copyOf(chosen);
  }

  private Object[][] readMatrix(JsonNode tensor) throws BadRequest {
    String name = tensor.get("name").asText();
    Tensor t = tensor(tensor, name);
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
    List<JsonNode> values = t.values(name);
    Object[][] result = new Object[rows][features.size()];
    for (int i = 0; i < values.size(); i++) {
      FeatureSpec feature = features.get(i % features.size());
      result[i / features.size()][i % features.size()] = modelValue(Datatypes.number(values.get(i), name, t.datatype()), feature, name);
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
            + String.join(", ", features.stream().map(FeatureSpec::name).toList())
            + (allNumeric ? "; send either one tensor per feature, or one batched [B, " + features.size() + "] tensor alone" : ""));
      }
      if (seen[index]) {
        throw BadRequest.of("duplicate_feature", "input '" + name + "' is given twice");
      }
      seen[index] = true;
      Tensor t = tensor(input, name);
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
      List<JsonNode> values = t.values(name);
      for (int r = 0; r < rows; r++) {
        JsonNode value = values.get(r);
        if (feature.isNumeric()) {
          if (!Datatypes.NUMERIC.contains(t.datatype())) {
            throw BadRequest.of("wrong_datatype", "input '" + name + "' is numeric: use a numeric datatype such as FP32, not " + t.datatype());
          }
          result[r][index] = modelValue(Datatypes.number(value, name, t.datatype()), feature, name);
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

  /** A numeric value the model can take: standardised, it must still be a finite FP32 number (the model's input). */
  private static Double modelValue(double x, FeatureSpec feature, String input) throws BadRequest {
    float[] encoded = new float[1];
    feature.encode(x, encoded, 0);
    if (!Float.isFinite(encoded[0])) {
      throw BadRequest.of("out_of_range", "input '" + input + "' holds " + x + " for feature '" + feature.name()
          + "', too large for the model, which computes in FP32 (standardised it is " + encoded[0] + ")");
    }
    return x;
  }

  /** A tensor whose header (shape, datatype, data array) is checked; its values are read on demand. */
  private record Tensor(long[] shape, long count, String datatype, JsonNode data) {
    List<JsonNode> values(String name) throws BadRequest {
      return TensorData.values(data, shape, count, name);
    }
  }

  private Tensor tensor(JsonNode input, String name) throws BadRequest {
    JsonNode shapeNode = input.get("shape");
    if (shapeNode == null || !shapeNode.isArray() || shapeNode.isEmpty()) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' needs a \"shape\" array");
    }
    long[] shape = new long[shapeNode.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      JsonNode dim = shapeNode.get(i);
      if (!dim.isIntegralNumber() || !dim.canConvertToLong() || dim.asLong() < 0) {
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
    if (datatype == null || !datatype.isTextual() || !Datatypes.KNOWN.contains(datatype.asText())) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' needs a \"datatype\" of the Open Inference Protocol (FP32, INT64, BYTES, …), got " + datatype);
    }
    JsonNode data = input.get("data");
    if (data == null || !data.isArray()) {
      throw BadRequest.of("malformed_tensor", "input '" + name + "' needs a \"data\" array");
    }
    return new Tensor(shape, count, datatype.asText(), data);
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
}
