package dev.flywheel.model.infer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.flywheel.model.bundle.InvalidBundleException;
import dev.flywheel.model.bundle.ModelMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Runs a model's network on float matrices with a DJL engine. Thread-safe: each calling thread gets its own
 * DJL Predictor (Predictors are not shareable).
 */
public final class ModelRunner implements AutoCloseable {
  public static final String PYTORCH = "PyTorch";
  public static final String ONNX_RUNTIME = "OnnxRuntime";

  private final Model model;
  private final boolean ownsModel;
  private final List<Predictor<float[][], float[][]>> predictors = Collections.synchronizedList(new ArrayList<>());
  private final ThreadLocal<Predictor<float[][], float[][]>> perThread;

  private ModelRunner(Model model, boolean ownsModel) {
    this.model = model;
    this.ownsModel = ownsModel;
    this.perThread = ThreadLocal.withInitial(() -> {
      Predictor<float[][], float[][]> predictor = model.newPredictor(new FloatMatrixTranslator());
      predictors.add(predictor);
      return predictor;
    });
  }

  /** Wraps a model that is already in memory (for example just trained); the caller keeps ownership. */
  public static ModelRunner of(Model model) {
    return new ModelRunner(model, false);
  }

  /**
   * Loads the bundle's weights with an engine: "auto" takes ONNX Runtime when the bundle has ONNX weights
   * (the faster engine for these models), else PyTorch.
   */
  public static ModelRunner open(Path bundle, ModelMetadata metadata, String engine) throws IOException {
    Map<String, String> weights = metadata.weights();
    if (weights == null || weights.isEmpty()) {
      throw new InvalidBundleException("flywheel-model.json names no weights");
    }
    String chosen = "auto".equals(engine) ? (weights.containsKey(ONNX_RUNTIME) ? ONNX_RUNTIME : PYTORCH) : engine;
    String file = weights.get(chosen);
    if (file == null) {
      throw new InvalidBundleException("the bundle has no weights for engine " + chosen + " (it has " + weights.keySet() + ")");
    }
    Path path = bundle.resolve(file).normalize();
    if (!path.startsWith(bundle.normalize()) || !Files.isRegularFile(path)) {
      throw new InvalidBundleException("weights file " + file + " is missing from the bundle");
    }
    String prefix = file.replaceFirst("(-\\d{4})?\\.(params|onnx|pt)$", "");
    Model model = Model.newInstance(prefix, Device.cpu(), chosen);
    try {
      if (ModelMetadata.LOGITS.equals(metadata.outputs()) && "flywheel-mlp".equals(metadata.format()) && PYTORCH.equals(chosen)) {
        model.setBlock(MlpNetwork.build(metadata.architecture()));
      }
      model.load(path.getParent(), prefix, Map.of("intraOpNumThreads", "1", "interOpNumThreads", "1"));
    } catch (MalformedModelException | RuntimeException e) {
      model.close();
      throw new InvalidBundleException("cannot load " + file + " with " + chosen + ": " + e.getMessage());
    }
    return new ModelRunner(model, true);
  }

  /** The engine running the model. */
  public String engine() {
    return model.getNDManager().getEngine().getEngineName();
  }

  /** Runs the network on a batch of encoded rows; returns its raw outputs, one row per input row. */
  public float[][] run(float[][] inputs) {
    try {
      return perThread.get().predict(inputs);
    } catch (TranslateException e) {
      throw new IllegalStateException("inference failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    synchronized (predictors) {
      predictors.forEach(Predictor::close);
      predictors.clear();
    }
    if (ownsModel) {
      model.close();
    }
  }
}
