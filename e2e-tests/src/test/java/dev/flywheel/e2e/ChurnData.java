package dev.flywheel.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The sandbox's churn data in Java: a training CSV (label churned), and Open Inference Protocol requests for the model
 * trained on it, valid ones and malformed ones the server must refuse with a 4xx.
 */
public final class ChurnData {
  private static final String[] CONTRACTS = {"month-to-month", "one-year", "two-year"};
  private static final String[] MALFORMED = {
      "{not json",
      "{\"inputs\": []}",
      "{\"inputs\": [{\"name\": \"tenure_months\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [12]}]}",
      "{\"inputs\": [{\"name\": \"favourite_colour\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"blue\"]}]}"};

  private ChurnData() {}

  /** Short tenure, many support calls and month-to-month contracts make churn likely, as in ./sandbox. */
  public static Path writeCsv(Path file, int rows, long seed) throws IOException {
    Random random = new Random(seed);
    StringBuilder csv = new StringBuilder("tenure_months,monthly_charges,support_calls,contract,churned\n");
    for (int i = 0; i < rows; i++) {
      int tenure = 1 + random.nextInt(72);
      double charges = 20 + random.nextDouble() * 100;
      int calls = random.nextInt(8);
      String contract = CONTRACTS[random.nextInt(3)];
      double z = -0.06 * tenure + 0.5 * calls + 0.01 * charges + (contract.equals("month-to-month") ? 1.2 : -0.8);
      boolean churned = 1 / (1 + Math.exp(-z)) > random.nextDouble();
      csv.append(String.format(Locale.ROOT, "%d,%.2f,%d,%s,%s%n", tenure, charges, calls, contract, churned ? "yes" : "no"));
    }
    return Files.writeString(file, csv, StandardCharsets.UTF_8);
  }

  /** A valid one-row inference request. */
  public static String validRequest(Random random) {
    return request(1 + random.nextInt(72), 20 + random.nextDouble() * 100, random.nextInt(8), CONTRACTS[random.nextInt(3)]);
  }

  private static String request(int tenure, double charges, int calls, String contract) {
    return String.format(Locale.ROOT, """
        {"inputs": [
          {"name": "tenure_months", "shape": [1], "datatype": "FP32", "data": [%d]},
          {"name": "monthly_charges", "shape": [1], "datatype": "FP32", "data": [%.2f]},
          {"name": "support_calls", "shape": [1], "datatype": "INT32", "data": [%d]},
          {"name": "contract", "shape": [1], "datatype": "BYTES", "data": ["%s"]}]}""", tenure, charges, calls, contract);
  }

  /**
   * A valid one-row request from the customers of ./sandbox's shifted traffic: long tenure (60–72 months), no support
   * calls, two-year contracts — far from the training data, so drift rises.
   */
  static String shiftedRequest(Random random) {
    return request(60 + random.nextInt(13), 20 + random.nextDouble() * 100, 0, "two-year");
  }

  /** The i-th of a few kinds of malformed request: bad JSON, no inputs, a missing feature, an unknown one. */
  static String malformedRequest(int i) {
    return MALFORMED[i % MALFORMED.length];
  }
}
