package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an Open Inference Protocol infer request in JSON (REST) into raw feature rows: the JSON part (the body, the
 * id, each tensor's name, shape, datatype and data) is read here, the rest — which tensors a model takes and what
 * their values must be — is {@link TensorRows}, shared with gRPC. Everything else is refused with a BadRequest.
 */
final class InferenceRequestReader {
  /** A request read: its id (the client's or null) and one raw row per instance. */
  record Parsed(String id, Object[][] rows) {}

  private final TensorRows tensorRows;

  InferenceRequestReader(TensorRows tensorRows) {
    this.tensorRows = tensorRows;
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
      if (!root.get("id").isTextual()) {
        throw BadRequest.of("invalid_id", "\"id\" must be a string of at most 256 characters");
      }
      id = InferenceFlow.checkedId(root.get("id").asText());
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
    List<InputTensor> tensors = new ArrayList<>(inputs.size());
    for (JsonNode input : inputs) {
      tensors.add(tensor(input, input.get("name").asText()));
    }
    return new Parsed(id, tensorRows.rows(tensors));
  }

  /** A JSON tensor: {"name", "shape": [whole numbers], "datatype", "data": [values, flat or nested]}. */
  private record JsonTensor(String name, String datatype, long[] shape, List<JsonNode> values) implements InputTensor {
    @Override
    public int size() {
      return values.size();
    }

    @Override
    public boolean isNumber(int index) {
      return values.get(index).isNumber();
    }

    @Override
    public double number(int index) {
      return values.get(index).asDouble();
    }

    @Override
    public boolean isWholeNumber(int index) {
      return values.get(index).isIntegralNumber();
    }

    @Override
    public boolean isText(int index) {
      return values.get(index).isTextual();
    }

    @Override
    public String text(int index) {
      return values.get(index).asText();
    }

    @Override
    public String show(int index) {
      return values.get(index).toString();
    }
  }

  private static JsonTensor tensor(JsonNode input, String name) throws BadRequest {
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
      count = multiplyOrMax(count, shape[i]);
    }
    JsonNode datatype = input.get("datatype");
    JsonNode data = input.get("data");
    if (data == null || !data.isArray()) {
      throw BadRequest.of("malformed_tensor", "input '" + name + "' needs a \"data\" array");
    }
    List<JsonNode> values = new ArrayList<>();
    flatten(data, values, count);
    return new JsonTensor(name, datatype != null && datatype.isTextual() ? datatype.asText() : null, shape, values);
  }

  private static long multiplyOrMax(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Collects the leaf values, at most one past limit (enough to say there are too many). */
  private static void flatten(JsonNode node, List<JsonNode> into, long limit) {
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
}
