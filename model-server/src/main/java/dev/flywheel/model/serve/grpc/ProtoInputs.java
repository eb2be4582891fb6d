package dev.flywheel.model.serve.grpc;

import dev.flywheel.model.serve.BadRequest;
import dev.flywheel.model.serve.InputTensor;
import dev.flywheel.model.serve.grpc.v2.InferTensorContents;
import dev.flywheel.model.serve.grpc.v2.ModelInferRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the input tensors of a gRPC ModelInferRequest, typed ({@code contents}) or raw ({@code raw_input_contents},
 * then for every input and no input with contents). What a tensor must be for the model is checked afterwards, as
 * for REST, by the server's shared tensor checks.
 */
final class ProtoInputs {
  private ProtoInputs() {}

  static List<InputTensor> of(ModelInferRequest request) throws BadRequest {
    List<InputTensor> tensors = new ArrayList<>(request.getInputsCount());
    boolean raw = request.getRawInputContentsCount() > 0;
    if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
      throw BadRequest.of("malformed_tensor", "raw_input_contents has " + request.getRawInputContentsCount() + " entries but there are "
          + request.getInputsCount() + " inputs: give one per input, in the order of inputs");
    }
    for (int i = 0; i < request.getInputsCount(); i++) {
      ModelInferRequest.InferInputTensor input = request.getInputs(i);
      String name = input.getName();
      if (name.isEmpty()) {
        throw BadRequest.of("malformed_tensor", "every input needs a name");
      }
      long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
      if (raw) {
        if (input.hasContents()) {
          throw BadRequest.of("malformed_tensor", "input '" + name + "' has contents while the request uses raw_input_contents: use one or the other");
        }
        tensors.add(RawTensor.of(name, input.getDatatype(), shape, request.getRawInputContents(i)));
      } else {
        checkContentsField(name, input.getDatatype(), input.getContents());
        tensors.add(new TypedTensor(name, input.getDatatype(), shape, input.getContents()));
      }
    }
    return tensors;
  }

  /** The values are in the field of the tensor's datatype, and in no other. */
  private static void checkContentsField(String name, String datatype, InferTensorContents contents) throws BadRequest {
    String expected = TypedTensor.fieldOf(datatype);
    if (datatype.equals("FP16")) {
      throw BadRequest.of("wrong_datatype", "input '" + name + "' is FP16, which has no contents field: send it in raw_input_contents");
    }
    for (String field : TypedTensor.FIELDS) {
      if (!field.equals(expected) && TypedTensor.count(contents, field) > 0) {
        throw BadRequest.of("wrong_datatype", "input '" + name + "' is " + (datatype.isEmpty() ? "without a datatype" : datatype)
            + " but its values are in contents." + field + (expected == null ? "" : "; " + datatype + " values go in contents." + expected));
      }
    }
  }
}
