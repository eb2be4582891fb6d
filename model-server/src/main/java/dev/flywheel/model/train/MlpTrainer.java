package dev.flywheel.model.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.flywheel.model.bundle.ModelMetadata.Architecture;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.infer.MlpNetwork;
import dev.flywheel.model.infer.ModelRunner;
import java.util.Random;

/**
 * Trains a multi-layer perceptron with Adam on the PyTorch engine, with its own seeded mini-batch order so that
 * the same data, options and seed give bit-identical weights.
 */
public final class MlpTrainer {
  private MlpTrainer() {}

  /** The network's shape for a task: one logit for binary, one per class for multiclass, one value for regression. */
  public static Architecture architecture(Task task, int inputSize, int classes, TrainingOptions options) {
    int outputs = task == Task.multiclassClassification ? classes : 1;
    return new Architecture(MlpNetwork.TYPE, inputSize, options.hiddenLayers(), outputs, MlpNetwork.RELU);
  }

  /**
   * @param targets binary: 0/1; multiclass: class index; regression: the standardised value
   * @return the trained model, open; the caller closes it
   */
  public static Model train(float[][] inputs, float[] targets, Task task, Architecture architecture, TrainingOptions options) {
    Engine engine = Engine.getEngine(ModelRunner.PYTORCH);
    engine.setRandomSeed((int) options.seed());
    Model model = Model.newInstance("mlp", Device.cpu(), ModelRunner.PYTORCH);
    model.setBlock(MlpNetwork.build(architecture));
    DefaultTrainingConfig config = new DefaultTrainingConfig(lossFor(task))
        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) options.learningRate())).build())
        .optDevices(new Device[] {Device.cpu()});
    int n = inputs.length;
    int width = architecture.inputSize();
    try (Trainer trainer = model.newTrainer(config)) {
      trainer.initialize(new Shape(1, width));
      Random random = new Random(options.seed());
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      for (int epoch = 0; epoch < options.epochs(); epoch++) {
        shuffle(order, random);
        for (int start = 0; start < n; start += options.batchSize()) {
          int size = Math.min(options.batchSize(), n - start);
          float[] x = new float[size * width];
          float[] y = new float[size];
          for (int i = 0; i < size; i++) {
            System.arraycopy(inputs[order[start + i]], 0, x, i * width, width);
            y[i] = targets[order[start + i]];
          }
          try (NDManager batch = trainer.getManager().newSubManager()) {
            NDArray features = batch.create(x, new Shape(size, width));
            NDArray labels = task == Task.multiclassClassification
                ? batch.create(y, new Shape(size))
                : batch.create(y, new Shape(size, 1));
            try (GradientCollector collector = trainer.newGradientCollector()) {
              NDArray predictions = trainer.forward(new NDList(features)).singletonOrThrow();
              NDArray loss = trainer.getLoss().evaluate(new NDList(labels), new NDList(predictions));
              collector.backward(loss);
            }
            trainer.step();
          }
        }
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  private static Loss lossFor(Task task) {
    return switch (task) {
      case binaryClassification -> Loss.sigmoidBinaryCrossEntropyLoss();
      case multiclassClassification -> Loss.softmaxCrossEntropyLoss();
      case regression -> Loss.l2Loss();
    };
  }

  private static void shuffle(int[] order, Random random) {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
}
