package dev.flywheel.model.testdata;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.BundleDigest;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.infer.OnnxModelWriter;
import dev.flywheel.model.infer.OnnxModelWriter.Dense;
import dev.flywheel.model.infer.OnnxModelWriter.Head;
import dev.flywheel.model.infer.OnnxModelWriter.Outputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Bundles as a team that trained elsewhere brings them: an ONNX network with known weights (so every answer can be
 * computed by hand) beside a hand-written flywheel-model.json, one per kind — binary, multiclass, regression,
 * categorical — and the ways such a description can contradict its network.
 */
public final class ImportedBundles {
  private ImportedBundles() {}

  /** One example: its network, its description, and how to compute what it must answer. */
  public record Example(String name, List<Dense> layers, long batch, Head head, Outputs outputs, ObjectNode description) {
    public Example withBatch(long fixedBatch) {
      return new Example(name + "-batch" + fixedBatch, layers, fixedBatch, head, outputs, description);
    }

    public Example withHead(Head other) {
      return new Example(name, layers, batch, other, outputs, description);
    }

    public Example withLayers(List<Dense> other) {
      return new Example(name, other, batch, head, outputs, description);
    }

    /** The same network with an int64 "label" output before the scores, as skl2onnx converts classifiers. */
    public Example withLabelOutputFirst() {
      return new Example(name + "-label-first", layers, batch, head, Outputs.LABEL_THEN_SCORES, description);
    }

    /** The same network with an edited copy of the description. */
    public Example describedAs(Consumer<ObjectNode> edit) {
      ObjectNode copy = description.deepCopy();
      edit.accept(copy);
      return new Example(name, layers, batch, head, outputs, copy);
    }

    @Override
    public String toString() {
      return name;
    }

    /** Writes model.onnx, flywheel-model.json and flywheel-model.sha256 into dir/name; returns the bundle's directory. */
    public Path write(Path dir) throws IOException {
      Path bundle = Files.createDirectories(dir);
      OnnxModelWriter.write(layers, batch, head, outputs, bundle.resolve("model.onnx"));
      Files.writeString(bundle.resolve("flywheel-model.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(description));
      BundleDigest.write(bundle);
      return bundle;
    }
  }

  /** Binary, three numeric features, a [N, 2] softmax output (as PyTorch and scikit-learn export): column 1 is 'churns'. */
  public static Example binary() {
    ObjectNode d = description("binaryClassification", "probabilities", "churned");
    d.putArray("classes").add("stays").add("churns");
    numeric(d, "tenure_months", 36, 20);
    numeric(d, "monthly_charges", 70, 30);
    numeric(d, "support_calls", 3, 2);
    Dense layer = new Dense(new float[][] {{0.4f, -0.3f, -0.5f}, {-0.4f, 0.3f, 0.5f}}, new float[] {0.1f, -0.1f});
    return new Example("binary", List.of(layer), OnnxModelWriter.ANY_BATCH, Head.SOFTMAX, Outputs.SCORES, d);
  }

  /** Multiclass, two numeric features, three classes, [N, 3] logits through a hidden layer. */
  public static Example multiclass() {
    ObjectNode d = description("multiclassClassification", "logits", "species");
    d.putArray("classes").add("setosa").add("versicolor").add("virginica");
    numeric(d, "petal_length", 2, 1.5);
    numeric(d, "petal_width", 3, 2);
    Dense hidden = new Dense(new float[][] {{1, 0}, {0, 1}, {-1, 0}, {0, -1}}, new float[] {0, 0, 0, 0});
    Dense out = new Dense(new float[][] {{-1, -1, 1, 1}, {1, 1, -1, -1}, {-1, 1, 1, -1}}, new float[] {0.2f, 0, -0.2f});
    return new Example("multiclass", List.of(hidden, out), OnnxModelWriter.ANY_BATCH, Head.NONE, Outputs.SCORES, d);
  }

  /** Regression, two numeric features, the label standardised by target {mean, std}, a [N] output. */
  public static Example regression() {
    ObjectNode d = description("regression", "logits", "price");
    numeric(d, "size_m2", 100, 40);
    numeric(d, "rooms", 3, 1.5);
    d.putObject("target").put("mean", 250000).put("std", 80000);
    Dense layer = new Dense(new float[][] {{0.9f, 0.2f}}, new float[] {0.05f});
    return new Example("regression", List.of(layer), OnnxModelWriter.ANY_BATCH, Head.SQUEEZE, Outputs.SCORES, d);
  }

  /**
   * Categorical: one numeric feature, then 'contract' one-hot over its vocabulary in the order listed (columns 1–3),
   * binary with one sigmoid column, the probability of 'yes'.
   */
  public static Example categorical() {
    ObjectNode d = description("binaryClassification", "probabilities", "churned");
    d.putArray("classes").add("no").add("yes");
    numeric(d, "support_calls", 3, 2);
    ObjectNode contract = d.withArray("features").addObject().put("name", "contract").put("type", "categorical");
    contract.putArray("vocabulary").add("month-to-month").add("one-year").add("two-year");
    Dense layer = new Dense(new float[][] {{0.8f, 1.5f, -0.5f, -1.5f}}, new float[] {-0.2f});
    return new Example("categorical", List.of(layer), OnnxModelWriter.ANY_BATCH, Head.SIGMOID, Outputs.SCORES, d);
  }

  /** A dense layer of the given shape with small distinct weights. */
  public static Dense dense(int outputs, int inputs) {
    float[][] weight = new float[outputs][inputs];
    for (int o = 0; o < outputs; o++) {
      for (int i = 0; i < inputs; i++) {
        weight[o][i] = (o + 1) * 0.1f - i * 0.05f;
      }
    }
    return new Dense(weight, new float[outputs]);
  }

  private static ObjectNode description(String task, String outputs, String label) {
    ObjectNode d = Json.MAPPER.createObjectNode().put("formatVersion", 1).put("format", "onnx").put("task", task).put("label", label);
    d.put("outputs", outputs);
    d.putObject("weights").put("OnnxRuntime", "model.onnx");
    d.putArray("features");
    return d;
  }

  private static void numeric(ObjectNode d, String name, double mean, double std) {
    d.withArray("features").addObject().put("name", name).put("type", "numeric").put("mean", mean).put("std", std);
  }
}
