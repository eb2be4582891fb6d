package dev.flywheel.model.data;

import java.util.Arrays;

/** The learning task, named as in the TrainingJob API. */
public enum Task {
  binaryClassification,
  multiclassClassification,
  regression;

  public boolean isClassification() {
    return this != regression;
  }

  /** Parses a task name, or throws a DataError listing the valid ones. */
  public static Task parse(String name) {
    try {
      return Task.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new DataError("unknown task '" + name + "' (use one of " + Arrays.toString(values()) + ")");
    }
  }
}
