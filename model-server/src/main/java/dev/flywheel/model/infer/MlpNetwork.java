package dev.flywheel.model.infer;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.flywheel.model.bundle.ModelMetadata.Architecture;

/** Builds the multi-layer perceptron a bundle's architecture describes (DJL needs the block to load weights). */
public final class MlpNetwork {
  public static final String TYPE = "mlp";
  public static final String RELU = "relu";

  private MlpNetwork() {}

  public static SequentialBlock build(Architecture architecture) {
    if (!TYPE.equals(architecture.type()) || !RELU.equals(architecture.activation())) {
      throw new IllegalArgumentException("unsupported architecture " + architecture.type() + "/" + architecture.activation());
    }
    SequentialBlock block = new SequentialBlock();
    for (int units : architecture.hiddenLayers()) {
      block.add(Linear.builder().setUnits(units).build());
      block.add(Activation.reluBlock());
    }
    block.add(Linear.builder().setUnits(architecture.outputSize()).build());
    return block;
  }
}
