package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an Open Inference Protocol infer request in JSON (REST) into raw feature rows and the outputs it asks for: the
 * JSON part (the body, the id, the requested outputs, each tensor's name, shape, datatype and data, flat or nested
 * exactly like its shape — {@link TensorData}) is read here, the rest — which tensors a model takes and what their
 * values must be — is {@link TensorRows}, shared with gRPC. Everything else is refused with a BadRequest. A valid request
 * is read by {@link StreamingRequestReader} without building the tree; the tree reader here reads the rest.
 */
final class InferenceRequestReader {
  /** A request read: its id (the client's or null), one raw row per instance, and the outputs to answer (in order). */
  record Parsed(String id, Object[][] rows, List<String> outputs) {}

  private final TensorRows tensorRows;
  private final List<String> outputNames;
  private final StreamingRequestReader streaming;

  /** @param outputNames the outputs the server can answer, in the order it answers them by default */
  InferenceRequestReader(TensorRows tensorRows, List<String> outputNames) {
    this.tensorRows = tensorRows;
    this.outputNames = List.copyOf(outputNames);
    this.streaming = new StreamingRequestReader(tensorRows, this.outputNames);
  }

  /** Reads a valid request in one streaming pass; anything else through the JSON tree, which says what is wrong. */
  Parsed read(byte[] body) throws BadRequest {
    Parsed fast = streaming.read(body);
    return fast != null ? fast : readTree(body);
  }

  /** The reference reader: the JSON tree, checked field by field, refusing with the message that fits. */
  Parsed readTree(byte[] body) throws BadRequest {
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
    List<String> outputs = outputs(root.get("outputs"));
    List<InputTensor> tensors = new ArrayList<>(inputs.size());
    for (JsonNode input : inputs) {
      tensors.add(tensor(input, input.get("name").asText()));
    }
    return new Parsed(id, tensorRows.rows(tensors), outputs);
  }

  /** The outputs the request names ("outputs": [{"name": …}, …]), or all of them when it names none. */
  private List<String> outputs(JsonNode requested) throws BadRequest {
    if (requested == null || requested.isNull()) {
      return outputNames;
    }
    if (!requested.isArray()) {
      throw BadRequest.of("unknown_output", "\"outputs\" must be an array of {\"name\": …}; this model's outputs are " + outputNames);
    }
    List<String> names = new ArrayList<>(requested.size());
    for (JsonNode output : requested) {
      if (!output.isObject() || !output.path("name").isTextual()) {
        throw BadRequest.of("unknown_output", "every requested output needs a \"name\" string; this model's outputs are " + outputNames);
      }
      names.add(output.get("name").asText());
    }
    return RequestedOutputs.choose(names, outputNames);
  }

  /** A JSON tensor: {"name", "shape": [whole numbers], "datatype", "data": [values, flat or nested like the shape]}. */
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
    public BigInteger wholeNumber(int index) {
      return values.get(index).bigIntegerValue();
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

  /** A tensor whose header (shape, row limit, datatype) is checked before its data is read. */
  private JsonTensor tensor(JsonNode input, String name) throws BadRequest {
    JsonNode shapeNode = input.get("shape");
    if (shapeNode == null || !shapeNode.isArray() || shapeNode.isEmpty()) {
      throw BadRequest.of("wrong_shape", "input '" + name + "' needs a \"shape\" array");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode dim = shapeNode.get(i);
      if (!dim.isIntegralNumber() || !dim.canConvertToLong() || dim.asLong() < 0) {
        throw BadRequest.of("wrong_shape", "input '" + name + "' has a shape with a dimension that is not a whole number ≥ 0: " + shapeNode);
      }
      shape[i] = dim.asLong();
    }
    JsonNode datatypeNode = input.get("datatype");
    String datatype = datatypeNode != null && datatypeNode.isTextual() ? datatypeNode.asText() : null;
    long count = tensorRows.header(name, shape, datatype);
    JsonNode data = input.get("data");
    if (data == null || !data.isArray()) {
      throw BadRequest.of("malformed_tensor", "input '" + name + "' needs a \"data\" array");
    }
    return new JsonTensor(name, datatype, shape, TensorData.values(data, shape, count, name));
  }
}
