package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.flywheel.model.bundle.ModelMetadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Writes the Open Inference Protocol infer response for scored rows: {@code probabilities} [B, K] (FP32) and
 * {@code predicted_class} [B] (BYTES) for classification, {@code predictions} [B] (FP32) for regression. Also gives
 * what the request predicted, for feedback.
 */
final class InferenceResponseWriter {
  /** The response body, and the prediction it carried (class names or values), which feedback is scored against. */
  record Written(byte[] body, FeedbackTracker.Prediction prediction) {}

  private final String modelName;
  private final String modelVersion;
  private final boolean classification;
  private final List<String> classes;

  InferenceResponseWriter(String modelName, String modelVersion, ModelMetadata metadata) {
    this.modelName = modelName;
    this.modelVersion = modelVersion;
    this.classification = metadata.isClassification();
    this.classes = metadata.classes();
  }

  Written write(String id, float[][] scores) throws IOException {
    int rows = scores.length;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(128 + rows * 32);
    String[] predictedClasses = classification ? new String[rows] : null;
    double[] values = classification ? null : new double[rows];
    try (JsonGenerator g = ServerJson.MAPPER.getFactory().createGenerator(buffer)) {
      g.writeStartObject();
      g.writeStringField("model_name", modelName);
      g.writeStringField("model_version", modelVersion);
      g.writeStringField("id", id);
      g.writeArrayFieldStart("outputs");
      if (classification) {
        int k = classes.size();
        startTensor(g, "probabilities", "FP32", rows, k);
        for (int r = 0; r < rows; r++) {
          float[] p = scores[r].length == 1 ? new float[] {1 - scores[r][0], scores[r][0]} : scores[r];
          int best = 0;
          for (int c = 0; c < k; c++) {
            g.writeNumber(p[c]);
            if (p[c] > p[best]) {
              best = c;
            }
          }
          predictedClasses[r] = classes.get(best);
        }
        endTensor(g);
        startTensor(g, "predicted_class", "BYTES", rows);
        for (String c : predictedClasses) {
          g.writeString(c);
        }
        endTensor(g);
      } else {
        startTensor(g, "predictions", "FP32", rows);
        for (int r = 0; r < rows; r++) {
          values[r] = scores[r][0];
          g.writeNumber(scores[r][0]);
        }
        endTensor(g);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return new Written(buffer.toByteArray(), new FeedbackTracker.Prediction(predictedClasses, values));
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
