package dev.flywheel.model.infer;

import dev.flywheel.model.bundle.ModelMetadata;

/**
 * Turns raw network outputs into scores: binary → [probability of the positive class]; multiclass → class
 * probabilities; regression → [value] in the label's units.
 */
public record OutputDecoder(String task, String outputs, ModelMetadata.Target target, int classes) {

  public static OutputDecoder of(ModelMetadata metadata) {
    int classes = metadata.classes() == null ? 0 : metadata.classes().size();
    return new OutputDecoder(metadata.task(), metadata.outputs(), metadata.target(), classes);
  }

  public float[] decode(float[] raw) {
    boolean logits = ModelMetadata.LOGITS.equals(outputs);
    return switch (task) {
      case "binaryClassification" -> {
        float positive = raw.length >= 2 ? raw[1] : raw[0];
        if (logits && raw.length >= 2) {
          yield new float[] {softmax(raw)[1]};
        }
        yield new float[] {logits ? (float) (1 / (1 + Math.exp(-positive))) : positive};
      }
      case "multiclassClassification" -> logits ? softmax(raw) : raw.clone();
      default -> new float[] {target == null ? raw[0] : (float) (raw[0] * target.std() + target.mean())};
    };
  }

  public float[][] decode(float[][] raw) {
    float[][] scores = new float[raw.length][];
    for (int i = 0; i < raw.length; i++) {
      scores[i] = decode(raw[i]);
    }
    return scores;
  }

  private static float[] softmax(float[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] e = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      e[i] = Math.exp(z[i] - max);
      sum += e[i];
    }
    float[] p = new float[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = (float) (e[i] / sum);
    }
    return p;
  }
}
