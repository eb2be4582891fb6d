package dev.flywheel.model.infer;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.OrtException;
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
 * DJL Predictor (Predictors are not shareable). Knows what the network declares ({@link ModelSignature}); a network
 * exported with a fixed batch size is fed batches of exactly that size (longer batches split, the last one padded).
 */
public final class ModelRunner implements AutoCloseable {
  public static final String PYTORCH = "PyTorch";
  public static final String ONNX_RUNTIME = "OnnxRuntime";

  private final Model model;
  private final boolean ownsModel;
  private final ModelSignature signature;
  private final int fixedBatch;
  private final List<Predictor<float[][], float[][]>> predictors = Collections.synchronizedList(new ArrayList<>());
  private final ThreadLocal<Predictor<float[][], float[][]>> perThread;

  private ModelRunner(Model model, boolean ownsModel, ModelSignature signature, String outputName) {
    this.model = model;
    this.ownsModel = ownsModel;
    this.signature = signature;
    this.fixedBatch = fixedBatch(signature);
    this.perThread = ThreadLocal.withInitial(() -> {
      Predictor<float[][], float[][]> predictor = model.newPredictor(new FloatMatrixTranslator(outputName));
      predictors.add(predictor);
      return predictor;
    });
  }

  /** Wraps a model that is already in memory (for example just trained); the caller keeps ownership. */
  public static ModelRunner of(Model model) {
    return new ModelRunner(model, false, ModelSignature.ofBlock(model), null);
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
      ModelSignature signature = ONNX_RUNTIME.equals(chosen) ? ModelSignature.ofOnnx(path) : ModelSignature.ofBlock(model);
      return new ModelRunner(model, true, signature, metadata.output());
    } catch (MalformedModelException | OrtException | RuntimeException e) {
      model.close();
      throw new InvalidBundleException("cannot load " + file + " with " + chosen + ": " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    return message == null ? "no reason given" : message.strip().lines().findFirst().orElse("");
  }

  /** The batch size the network's (single) input is fixed to, or 0 when it takes any. */
  private static int fixedBatch(ModelSignature signature) {
    if (signature.inputs().size() != 1 || signature.inputs().get(0).shape().length == 0) {
      return 0;
    }
    long batch = signature.inputs().get(0).shape()[0];
    return batch > 0 && batch <= Integer.MAX_VALUE ? (int) batch : 0;
  }

  /** What the network declares it takes and gives. */
  public ModelSignature signature() {
    return signature;
  }

  /** The batch size every run is made of (0: any), from the network's declared input. */
  public int fixedBatch() {
    return fixedBatch;
  }

  /** The engine running the model. */
  public String engine() {
    return model.getNDManager().getEngine().getEngineName();
  }

  /** Runs the network on a batch of encoded rows; returns its raw outputs, one row per input row. */
  public float[][] run(float[][] inputs) {
    if (fixedBatch == 0 || inputs.length == fixedBatch) {
      return predict(inputs);
    }
    float[][] outputs = new float[inputs.length][];
    for (int start = 0; start < inputs.length; start += fixedBatch) {
      int rows = Math.min(fixedBatch, inputs.length - start);
      float[][] run = new float[fixedBatch][];
      System.arraycopy(inputs, start, run, 0, rows);
      for (int padding = rows; padding < fixedBatch; padding++) {
        run[padding] = new float[inputs[0].length]; // scored, then dropped
      }
      System.arraycopy(predict(run), 0, outputs, start, rows);
    }
    return outputs;
  }

  private float[][] predict(float[][] inputs) {
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
