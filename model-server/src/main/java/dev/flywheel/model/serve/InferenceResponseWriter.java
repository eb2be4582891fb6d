package dev.flywheel.model.serve;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.flywheel.model.bundle.ModelMetadata;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the Open Inference Protocol infer response in JSON (REST) for an {@link InferenceResult}:
 * {@code probabilities} [B, K] (FP32) and {@code predicted_class} [B] (BYTES) for classification, {@code predictions}
 * [B] (FP32) for regression, or those of them the request asked for. Results are finite ({@link InferenceFlow} refuses
 * rows the model cannot score), so every FP32 value is a JSON number. The bytes are those Jackson's generator writes
 * (compact, strings escaped by Jackson's own encoder, FP32 as {@link Float#toString}), written straight into one
 * array sized for the answer, with the parts that never change (model name and version, class names) encoded once.
 */
final class InferenceResponseWriter {
  static final String PROBABILITIES = "probabilities";
  static final String PREDICTED_CLASS = "predicted_class";
  static final String PREDICTIONS = "predictions";

  /** The outputs of a model of this task, in the order they are answered when a request names none. */
  static List<String> outputNames(ModelMetadata metadata) {
    return metadata.isClassification() ? List.of(PROBABILITIES, PREDICTED_CLASS) : List.of(PREDICTIONS);
  }

  /** An answer: the array and how many of its bytes are the JSON. */
  record Answer(byte[] bytes, int length) {}

  /** The longest Float.toString (e.g. -1.17549435E-38) plus a comma. */
  private static final int MAX_FLOAT_CHARS = 16;

  private final byte[] head;
  private final int classCount;
  private final Map<String, byte[]> quotedClasses = new HashMap<>();
  private final int longestClass;

  InferenceResponseWriter(String modelName, String modelVersion, ModelMetadata metadata) {
    this.head = ("{\"model_name\":" + quoted(modelName) + ",\"model_version\":" + quoted(modelVersion) + ",\"id\":")
        .getBytes(StandardCharsets.UTF_8);
    this.classCount = metadata.isClassification() ? metadata.classes().size() : 0;
    if (metadata.isClassification()) {
      metadata.classes().forEach(c -> quotedClasses.put(c, quoted(c).getBytes(StandardCharsets.UTF_8)));
    }
    this.longestClass = quotedClasses.values().stream().mapToInt(c -> c.length).max().orElse(0);
  }

  /** @param outputs the outputs to write, in this order (names from {@link #outputNames}) */
  Answer write(InferenceResult result, List<String> outputs) {
    int rows = result.rows();
    byte[] id = JsonStringEncoder.getInstance().quoteAsUTF8(result.id());
    Bytes out = new Bytes(head.length + id.length + 24 + outputs.size() * 96
        + rows * (Math.max(classCount, 1) * MAX_FLOAT_CHARS + longestClass + 3));
    out.append(head).append('"').append(id).append('"').ascii(",\"outputs\":[");
    boolean first = true;
    for (String output : outputs) {
      if (!first) {
        out.append(',');
      }
      first = false;
      switch (output) {
        case PROBABILITIES -> {
          startTensor(out, PROBABILITIES, "FP32", rows, classCount);
          boolean firstValue = true;
          for (float[] p : result.probabilities()) {
            for (int c = 0; c < classCount; c++) {
              firstValue = comma(out, firstValue);
              out.ascii(Float.toString(p[c]));
            }
          }
        }
        case PREDICTED_CLASS -> {
          startTensor(out, PREDICTED_CLASS, "BYTES", rows);
          boolean firstValue = true;
          for (String c : result.predictedClasses()) {
            firstValue = comma(out, firstValue);
            out.append(quotedClass(c));
          }
        }
        case PREDICTIONS -> {
          startTensor(out, PREDICTIONS, "FP32", rows);
          boolean firstValue = true;
          for (double value : result.values()) {
            firstValue = comma(out, firstValue);
            out.ascii(Float.toString((float) value));
          }
        }
        default -> throw new IllegalArgumentException("no output " + output);
      }
      out.ascii("]}");
    }
    out.ascii("]}");
    return new Answer(out.bytes, out.length);
  }

  private byte[] quotedClass(String name) {
    byte[] known = quotedClasses.get(name);
    return known != null ? known : quoted(name).getBytes(StandardCharsets.UTF_8);
  }

  private static boolean comma(Bytes out, boolean first) {
    if (!first) {
      out.append(',');
    }
    return false;
  }

  /** Opens an output tensor, up to its data array. */
  private static void startTensor(Bytes out, String name, String datatype, int... shape) {
    out.ascii("{\"name\":\"").ascii(name).ascii("\",\"shape\":[");
    for (int i = 0; i < shape.length; i++) {
      out.ascii(i == 0 ? "" : ",").ascii(Integer.toString(shape[i]));
    }
    out.ascii("],\"datatype\":\"").ascii(datatype).ascii("\",\"data\":[");
  }

  private static String quoted(String text) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
  }

  /** A byte array that grows (rarely: it starts at the answer's size) as JSON is appended. */
  private static final class Bytes {
    byte[] bytes;
    int length;

    Bytes(int capacity) {
      bytes = new byte[capacity];
    }

    private void room(int n) {
      if (length + n > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(length + n, bytes.length * 2));
      }
    }

    Bytes append(char c) {
      room(1);
      bytes[length++] = (byte) c;
      return this;
    }

    Bytes append(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, bytes, length, b.length);
      length += b.length;
      return this;
    }

    /** Text of ASCII characters only (JSON punctuation, names, numbers). */
    Bytes ascii(String s) {
      int n = s.length();
      room(n);
      for (int i = 0; i < n; i++) {
        bytes[length++] = (byte) s.charAt(i);
      }
      return this;
    }
  }
}
