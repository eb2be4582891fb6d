package dev.flywheel.model.serve.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.flywheel.model.serve.InferenceResult;
import dev.flywheel.model.serve.grpc.v2.InferTensorContents;
import dev.flywheel.model.serve.grpc.v2.ModelInferResponse;
import dev.flywheel.model.serve.grpc.v2.ModelMetadataResponse;
import dev.flywheel.model.serve.grpc.v2.ServerMetadataResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The gRPC answers: an {@link InferenceResult} as a ModelInferResponse (the outputs the request asked for, as REST
 * answers them, typed
 * {@code contents} or {@code raw_output_contents} as the request sent its inputs), and the metadata documents REST
 * serves as their messages.
 */
final class ProtoAnswers {
  private ProtoAnswers() {}

  /** @param outputs the outputs to answer, in this order (the request's choice, or all of them) */
  static ModelInferResponse infer(String modelName, String modelVersion, InferenceResult result, List<String> outputs, boolean raw) {
    ModelInferResponse.Builder answer = ModelInferResponse.newBuilder().setModelName(modelName).setModelVersion(modelVersion).setId(result.id());
    int rows = result.rows();
    for (String output : outputs) {
      switch (output) {
        case "probabilities" -> {
          int classes = result.probabilities()[0].length;
          float[] probabilities = new float[rows * classes];
          for (int r = 0; r < rows; r++) {
            System.arraycopy(result.probabilities()[r], 0, probabilities, r * classes, classes);
          }
          floats(answer, output, probabilities, raw, rows, classes);
        }
        case "predicted_class" -> {
          ModelInferResponse.InferOutputTensor.Builder predicted = tensor(output, "BYTES", rows);
          if (raw) {
            answer.addRawOutputContents(lengthPrefixed(result.predictedClasses()));
          } else {
            InferTensorContents.Builder contents = InferTensorContents.newBuilder();
            for (String c : result.predictedClasses()) {
              contents.addBytesContents(ByteString.copyFromUtf8(c));
            }
            predicted.setContents(contents);
          }
          answer.addOutputs(predicted);
        }
        case "predictions" -> {
          float[] values = new float[rows];
          for (int r = 0; r < rows; r++) {
            values[r] = (float) result.values()[r];
          }
          floats(answer, output, values, raw, rows);
        }
        default -> throw new IllegalArgumentException("no output " + output);
      }
    }
    return answer.build();
  }

  private static void floats(ModelInferResponse.Builder answer, String name, float[] values, boolean raw, long... shape) {
    ModelInferResponse.InferOutputTensor.Builder tensor = tensor(name, "FP32", shape);
    if (raw) {
      ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        bytes.putFloat(v);
      }
      answer.addRawOutputContents(ByteString.copyFrom(bytes.array()));
    } else {
      InferTensorContents.Builder contents = InferTensorContents.newBuilder();
      for (float v : values) {
        contents.addFp32Contents(v);
      }
      tensor.setContents(contents);
    }
    answer.addOutputs(tensor);
  }

  private static ModelInferResponse.InferOutputTensor.Builder tensor(String name, String datatype, long... shape) {
    ModelInferResponse.InferOutputTensor.Builder tensor = ModelInferResponse.InferOutputTensor.newBuilder().setName(name).setDatatype(datatype);
    for (long dimension : shape) {
      tensor.addShape(dimension);
    }
    return tensor;
  }

  /** BYTES elements as raw contents: each after its length, a 4-byte little-endian integer. */
  static ByteString lengthPrefixed(String[] texts) {
    ByteString.Output out = ByteString.newOutput();
    for (String text : texts) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array(), 0, 4);
      out.write(bytes, 0, bytes.length);
    }
    return out.toByteString();
  }

  /** The server's metadata document (GET /v2) as its message. */
  static ServerMetadataResponse server(JsonNode document) {
    ServerMetadataResponse.Builder answer = ServerMetadataResponse.newBuilder().setName(document.path("name").asText())
        .setVersion(document.path("version").asText());
    document.path("extensions").forEach(e -> answer.addExtensions(e.asText()));
    return answer.build();
  }

  /** The model's metadata document (GET /v2/models/{name}) as its message: tensors by name, datatype and shape. */
  static ModelMetadataResponse model(JsonNode document) {
    ModelMetadataResponse.Builder answer = ModelMetadataResponse.newBuilder().setName(document.path("name").asText())
        .setPlatform(document.path("platform").asText());
    document.path("versions").forEach(v -> answer.addVersions(v.asText()));
    document.path("inputs").forEach(t -> answer.addInputs(tensorMetadata(t)));
    document.path("outputs").forEach(t -> answer.addOutputs(tensorMetadata(t)));
    return answer.build();
  }

  private static ModelMetadataResponse.TensorMetadata tensorMetadata(JsonNode tensor) {
    ModelMetadataResponse.TensorMetadata.Builder metadata = ModelMetadataResponse.TensorMetadata.newBuilder()
        .setName(tensor.path("name").asText()).setDatatype(tensor.path("datatype").asText());
    tensor.path("shape").forEach(d -> metadata.addShape(d.asLong()));
    return metadata.build();
  }
}
