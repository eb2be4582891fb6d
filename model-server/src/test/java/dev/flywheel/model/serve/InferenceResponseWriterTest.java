package dev.flywheel.model.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.ModelMetadata;
import dev.flywheel.model.data.Task;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The hand-written infer answer is byte for byte what Jackson writes for the same JSON (compact, FP32 numbers, escaped
 * strings), for classification and regression, every output and a subset of them, and ids that need escaping.
 */
class InferenceResponseWriterTest {
  private static final String NAME = "churn \"β\"";
  private static final String VERSION = "7";

  @Test
  void classificationAnswerIsWhatJacksonWrites() {
    List<String> classes = List.of("no", "yes\tmaybe", "ünicode");
    ModelMetadata metadata = metadata(Task.multiclassClassification, classes);
    InferenceResult result = InferenceResult.of("id-\u0001\"\\/é", new float[][] {{0.1f, 0.7f, 0.2f}, {1e-38f, 0.99999994f, 3.4028235e38f},
        {0.33333334f, 0.33333334f, 0.33333334f}}, true, classes);
    InferenceResponseWriter writer = new InferenceResponseWriter(NAME, VERSION, metadata);
    for (List<String> outputs : List.of(List.of("probabilities", "predicted_class"), List.of("predicted_class"), List.of("predicted_class",
        "probabilities"))) {
      assertEquals(jackson(result, outputs, classes.size()), written(writer, result, outputs), outputs.toString());
    }
  }

  @Test
  void regressionAnswerIsWhatJacksonWrites() {
    ModelMetadata metadata = metadata(Task.regression, null);
    InferenceResult result = InferenceResult.of("abc-1", new float[][] {{-12.5f}, {1.0E-7f}, {123456.79f}, {0f}}, false, null);
    assertEquals(jackson(result, List.of("predictions"), 0),
        written(new InferenceResponseWriter(NAME, VERSION, metadata), result, List.of("predictions")));
  }

  @Test
  void aLargeBatchOutgrowsNoBuffer() {
    List<String> classes = List.of("a", "b");
    float[][] scores = new float[4096][];
    for (int r = 0; r < scores.length; r++) {
      scores[r] = new float[] {-Float.MIN_NORMAL * r};
    }
    InferenceResult result = InferenceResult.of("x", scores, true, classes);
    InferenceResponseWriter writer = new InferenceResponseWriter(NAME, VERSION, metadata(Task.binaryClassification, classes));
    assertEquals(jackson(result, List.of("probabilities", "predicted_class"), 2), written(writer, result, List.of("probabilities", "predicted_class")));
  }

  private static String written(InferenceResponseWriter writer, InferenceResult result, List<String> outputs) {
    InferenceResponseWriter.Answer answer = writer.write(result, outputs);
    return new String(answer.bytes(), 0, answer.length(), StandardCharsets.UTF_8);
  }

  /** The same answer built as a tree and written by Jackson: the reference. */
  private static String jackson(InferenceResult result, List<String> outputs, int classes) {
    ObjectNode root = ServerJson.object().put("model_name", NAME).put("model_version", VERSION).put("id", result.id());
    ArrayNode out = root.putArray("outputs");
    for (String output : outputs) {
      ObjectNode tensor = out.addObject().put("name", output);
      ArrayNode shape = tensor.putArray("shape").add(result.rows());
      ArrayNode data;
      switch (output) {
        case "probabilities" -> {
          shape.add(classes);
          data = tensor.put("datatype", "FP32").putArray("data");
          for (float[] p : result.probabilities()) {
            for (int c = 0; c < classes; c++) {
              data.add(p[c]);
            }
          }
        }
        case "predicted_class" -> {
          data = tensor.put("datatype", "BYTES").putArray("data");
          for (String c : result.predictedClasses()) {
            data.add(c);
          }
        }
        default -> {
          data = tensor.put("datatype", "FP32").putArray("data");
          for (double v : result.values()) {
            data.add((float) v);
          }
        }
      }
    }
    try {
      return ServerJson.MAPPER.writeValueAsString(root);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ModelMetadata metadata(Task task, List<String> classes) {
    return new ModelMetadata(1, "flywheel-mlp", task.name(), "y", classes, List.of(), null, "logits", null, null, null, null, null, null);
  }
}
