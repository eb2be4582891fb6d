package dev.flywheel.model.serve;

import java.util.List;

/**
 * What an infer request is answered, whatever the wire protocol: its id, and for classification the probabilities
 * [B, K] and the predicted class of each row, for regression the predicted values [B]. Computed once from the model's
 * scores; feedback is scored against the same prediction.
 *
 * @param probabilities per row, one per class in the model's class order (null for regression)
 * @param predictedClasses per row, the most probable class (null for regression)
 * @param values per row, the predicted value (null for classification)
 */
public record InferenceResult(String id, float[][] probabilities, String[] predictedClasses, double[] values) {

  /** From the model's scores: binary [p of the second class], multiclass [p per class], regression [value]. */
  static InferenceResult of(String id, float[][] scores, boolean classification, List<String> classes) {
    int rows = scores.length;
    if (!classification) {
      double[] values = new double[rows];
      for (int r = 0; r < rows; r++) {
        values[r] = scores[r][0];
      }
      return new InferenceResult(id, null, null, values);
    }
    float[][] probabilities = new float[rows][];
    String[] predicted = new String[rows];
    for (int r = 0; r < rows; r++) {
      float[] p = scores[r].length == 1 ? new float[] {1 - scores[r][0], scores[r][0]} : scores[r];
      int best = 0;
      for (int c = 0; c < classes.size(); c++) {
        if (p[c] > p[best]) {
          best = c;
        }
      }
      probabilities[r] = p;
      predicted[r] = classes.get(best);
    }
    return new InferenceResult(id, probabilities, predicted, null);
  }

  public boolean isClassification() {
    return probabilities != null;
  }

  public int rows() {
    return isClassification() ? probabilities.length : values.length;
  }

  /** What feedback is scored against. */
  FeedbackTracker.Prediction prediction() {
    return new FeedbackTracker.Prediction(predictedClasses, values);
  }
}
