package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.flywheel.model.bundle.ModelMetadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * Writes the Open Inference Protocol infer response for scored rows: {@code probabilities} [B, K] (FP32) and
 * {@code predicted_class} [B] (BYTES) for classification, {@code predictions} [B] (FP32) for regression, or those of
 * them the request asked for. Also gives what the request predicted, for feedback. Scores must be finite (the
 * endpoint refuses rows the model cannot score), so every FP32 value is a JSON number.
 */
final class InferenceResponseWriter {
  /** The response body, and the prediction it carried (class names or values), which feedback is scored against. */
  record Written(byte[] body, FeedbackTracker.Prediction prediction) {}

  static final String PROBABILITIES = "probabilities";
  static final String PREDICTED_CLASS = "predicted_class";
  static final String PREDICTIONS = "predictions";

  /** The outputs of a model of this task, in the order they are answered when a request names none. */
  static List<String> outputNames(ModelMetadata metadata) {
    return metadata.isClassification() ? List.of(PROBABILITIES, PREDICTED_CLASS) : List.of(PREDICTIONS);
  }

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

  /** @param outputs the outputs to write, in this order (names from {@link #outputNames}) */
  Written write(String id, float[][] scores, List<String> outputs) throws IOException {
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
        for (int r = 0; r < rows; r++) {
          predictedClasses[r] = classes.get(best(probabilities(scores[r]), classes.size()));
        }
      } else {
        for (int r = 0; r < rows; r++) {
          values[r] = scores[r][0];
        }
      }
      for (String output : outputs) {
        switch (output) {
          case PROBABILITIES -> {
            startTensor(g, PROBABILITIES, "FP32", rows, classes.size());
            for (float[] row : scores) {
              float[] p = probabilities(row);
              for (int c = 0; c < classes.size(); c++) {
                g.writeNumber(p[c]);
              }
            }
          }
          case PREDICTED_CLASS -> {
            startTensor(g, PREDICTED_CLASS, "BYTES", rows);
            for (String c : predictedClasses) {
              g.writeString(c);
            }
          }
          case PREDICTIONS -> {
            startTensor(g, PREDICTIONS, "FP32", rows);
            for (float[] row : scores) {
              g.writeNumber(row[0]);
            }
          }
          default -> throw new IllegalArgumentException("no output " + output);
        }
        endTensor(g);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return new Written(buffer.toByteArray(), new FeedbackTracker.Prediction(predictedClasses, values));
  }

  /** Binary scores are [p(positive)]: the probabilities of both classes; multiclass scores are the probabilities. */
  private static float[] probabilities(float[] scores) {
    return scores.length == 1 ? new float[] {1 - scores[0], scores[0]} : scores;
  }

  /** The most probable of the first k classes (the first of equals). */
  private static int best(float[] probabilities, int k) {
    int best = 0;
    for (int c = 1; c < k; c++) {
      if (probabilities[c] > probabilities[best]) {
        best = c;
      }
    }
    return best;
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
