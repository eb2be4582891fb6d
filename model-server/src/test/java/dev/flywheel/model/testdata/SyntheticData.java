package dev.flywheel.model.testdata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/** Small CSV datasets made by the tests, with a known signal, so training results can be checked. */
public final class SyntheticData {
  private SyntheticData() {}

  /** Churn-like: churned=yes is likely for short tenure, many support calls and month-to-month contracts. */
  public static Path churn(Path dir, int rows, long seed) throws IOException {
    return churn(dir, "churn.csv", rows, seed, 1);
  }

  /**
   * The same customers after the market shifted (a rival courts loyal customers): the same columns, the signal
   * reversed — churned=yes is now likely for long tenure, few support calls and yearly contracts, so a model trained
   * before the shift ranks these rows backwards.
   */
  public static Path churnAfterShift(Path dir, int rows, long seed) throws IOException {
    return churn(dir, "churn-shifted.csv", rows, seed, -1);
  }

  private static Path churn(Path dir, String name, int rows, long seed, int direction) throws IOException {
    Random random = new Random(seed);
    StringBuilder csv = new StringBuilder("tenure_months,monthly_charges,support_calls,contract,churned\n");
    for (int i = 0; i < rows; i++) {
      double tenure = 1 + random.nextInt(72);
      double charges = 20 + random.nextDouble() * 100;
      int calls = random.nextInt(8);
      String contract = new String[] {"month-to-month", "one-year", "two-year"}[random.nextInt(3)];
      double z = direction * (-0.06 * tenure + 0.5 * calls + 0.01 * charges + (contract.equals("month-to-month") ? 1.2 : -0.8));
      boolean churned = 1 / (1 + Math.exp(-z)) > random.nextDouble();
      csv.append(String.format(Locale.ROOT, "%.0f,%.2f,%d,%s,%s%n", tenure, charges, calls, contract, churned ? "yes" : "no"));
    }
    return write(dir, name, csv);
  }

  /** Three well-separated species over two measurements. */
  public static Path species(Path dir, int rows, long seed) throws IOException {
    Random random = new Random(seed);
    String[] names = {"setosa", "versicolor", "virginica"};
    double[][] centres = {{1, 1}, {4, 4}, {1, 5}};
    StringBuilder csv = new StringBuilder("petal_length,petal_width,species\n");
    for (int i = 0; i < rows; i++) {
      int c = i % 3;
      csv.append(String.format(Locale.ROOT, "%.3f,%.3f,%s%n",
          centres[c][0] + random.nextGaussian() * 0.5, centres[c][1] + random.nextGaussian() * 0.5, names[c]));
    }
    return write(dir, "species.csv", csv);
  }

  /** House prices: linear in size and rooms, plus noise. */
  public static Path prices(Path dir, int rows, long seed) throws IOException {
    Random random = new Random(seed);
    StringBuilder csv = new StringBuilder("size_m2,rooms,price\n");
    for (int i = 0; i < rows; i++) {
      double size = 30 + random.nextDouble() * 170;
      int rooms = 1 + random.nextInt(6);
      double price = 50_000 + 2_000 * size + 10_000 * rooms + random.nextGaussian() * 5_000;
      csv.append(String.format(Locale.ROOT, "%.1f,%d,%.0f%n", size, rooms, price));
    }
    return write(dir, "prices.csv", csv);
  }

  public static Path write(Path dir, String name, CharSequence content) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve(name), content);
  }
}
