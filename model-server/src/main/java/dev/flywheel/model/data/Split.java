package dev.flywheel.model.data;

import java.util.Arrays;
import java.util.Random;

/** A seeded shuffle of row indices into a training part and a held-out validation part. */
public record Split(int[] train, int[] validation) {
  /** Splits n rows; the validation part gets round(n * fraction) rows, at least one, and leaves at least one for training. */
  public static Split of(int n, double fraction, long seed) {
    if (!(fraction > 0 && fraction < 1)) {
      throw new DataError("validation split must be between 0 and 1 (exclusive), got " + fraction);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int validation = (int) Math.max(1, Math.min(n - 1, Math.round(n * fraction)));
    return new Split(Arrays.copyOfRange(order, validation, n), Arrays.copyOfRange(order, 0, validation));
  }
}
