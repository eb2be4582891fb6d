package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.flywheel.model.bundle.ModelMetadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Writes the Open Inference Protocol infer response in JSON (REST) for an {@link InferenceResult}:
 * {@code probabilities} [B, K] (FP32) and {@code predicted_class} [B] (BYTES) for classification, {@code predictions}
 * [B] (FP32) for regression, or those of them the request asked for. Results are finite ({@link InferenceFlow} refuses
 * rows the model cannot score), so every FP32 value is a JSON number.
 */
final class InferenceResponseWriter {
  static final String PROBABILITIES = "probabilities";
  static final String PREDICTED_CLASS = "predicted_class";
  static final String PREDICTIONS = "predictions";

  /** The outputs of a model of this task, in the order they are answered when a request names none. */
  static List<String> outputNames(ModelMetadata metadata) {
    return metadata.isClassification() ? List.of(PROBABILITIES, PREDICTED_CLASS) : List.of(PREDICTIONS);
  }

  private final String modelName;
  private final String modelVersion;
  private final int classCount;

  InferenceResponseWriter(String modelName, String modelVersion, ModelMetadata metadata) {
    this.modelName = modelName;
    this.modelVersion = modelVersion;
    this.classCount = metadata.isClassification() ? metadata.classes().size() : 0;
  }

  /** @param outputs the outputs to write, in this order (names from {@link #outputNames}) */
  byte[] write(InferenceResult result, List<String> outputs) throws IOException {
    int rows = result.rows();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(128 + rows * 32);
    try (JsonGenerator g = ServerJson.MAPPER.getFactory().createGenerator(buffer)) {
      g.writeStartObject();
      g.writeStringField("model_name", modelName);
      g.writeStringField("model_version", modelVersion);
      g.writeStringField("id", result.id());
      g.writeArrayFieldStart("outputs");
      for (String output : outputs) {
        switch (output) {
          case PROBABILITIES -> {
            startTensor(g, PROBABILITIES, "FP32", rows, classCount);
            for (float[] p : result.probabilities()) {
              for (int c = 0; c < classCount; c++) {
                g.writeNumber(p[c]);
              }
            }
          }
          case PREDICTED_CLASS -> {
            startTensor(g, PREDICTED_CLASS, "BYTES", rows);
            for (String c : result.predictedClasses()) {
              g.writeString(c);
            }
          }
          case PREDICTIONS -> {
            startTensor(g, PREDICTIONS, "FP32", rows);
            for (double value : result.values()) {
              g.writeNumber((float) value);
            }
          }
          default -> throw new IllegalArgumentException("no output " + output);
        }
        endTensor(g);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return buffer.toByteArray();
  }

  /** Opens an output tensor, up to its data array. */
  private static void startTensor(JsonGenerator g, String name, String datatype, int... shape) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeArrayFieldStart("shape");
    for (int dimension : shape) {
      g.writeNumber(dimension);
    }
    g.writeEndArray();
    g.writeStringField("datatype", datatype);
    g.writeArrayFieldStart("data");
  }

  private static void endTensor(JsonGenerator g) throws IOException {
    g.writeEndArray();
    g.writeEndObject();
  }
}
