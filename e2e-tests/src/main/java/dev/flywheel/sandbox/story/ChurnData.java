package dev.flywheel.sandbox.story;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The sandbox's churn customers in Java: training and holdout CSVs (label churned), and Open Inference Protocol
 * requests for the model trained on them, valid ones and malformed ones the server must refuse with a 4xx.
 *
 * <p>Two populations: today's customers, whose churn follows tenure, support calls, charges and contract; and the
 * customers who arrive when the market changes — long tenure, no support calls, two-year contracts — who churn on price
 * alone. A model trained on today's customers alone sees the newcomers as drift and misjudges them.
 */
public final class ChurnData {
  public static final String HEADER = "tenure_months,monthly_charges,support_calls,contract,churned";
  private static final String[] CONTRACTS = {"month-to-month", "one-year", "two-year"};
  private static final String[] MALFORMED = {
      "{not json",
      "{\"inputs\": []}",
      "{\"inputs\": [{\"name\": \"tenure_months\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [12]}]}",
      "{\"inputs\": [{\"name\": \"favourite_colour\", \"shape\": [1], \"datatype\": \"BYTES\", \"data\": [\"blue\"]}]}"};

  private ChurnData() {}

  /** Which customers a row comes from. */
  public enum Population {
    /** Today's customers: short tenure, many support calls and month-to-month contracts make churn likely. */
    TODAY,
    /** The newcomers after the market changes: long tenure, no calls, two-year contracts; high prices make them churn. */
    SHIFTED
  }

  /** One customer: the features a request carries and the true label that arrives later as feedback. */
  public record Customer(int tenureMonths, double monthlyCharges, int supportCalls, String contract, boolean churned) {
    /** The row as in the training CSV. */
    public String csvLine() {
      return String.format(Locale.ROOT, "%d,%.2f,%d,%s,%s", tenureMonths, monthlyCharges, supportCalls, contract,
          label());
    }

    /** The label as the model's classes name it. */
    public String label() {
      return churned ? "yes" : "no";
    }

    /** A one-row inference request with this customer's features, and an id (null: none). */
    public String request(String id) {
      return String.format(Locale.ROOT, """
          {%s"inputs": [
            {"name": "tenure_months", "shape": [1], "datatype": "FP32", "data": [%d]},
            {"name": "monthly_charges", "shape": [1], "datatype": "FP32", "data": [%.2f]},
            {"name": "support_calls", "shape": [1], "datatype": "INT32", "data": [%d]},
            {"name": "contract", "shape": [1], "datatype": "BYTES", "data": ["%s"]}]}""",
          id == null ? "" : "\"id\": \"" + id + "\", ", tenureMonths, monthlyCharges, supportCalls, contract);
    }
  }

  /** A random customer of the population, labelled by that population's churn rule. */
  public static Customer customer(Population population, Random random) {
    if (population == Population.SHIFTED) {
      double charges = 20 + random.nextDouble() * 100;
      double z = 0.12 * (charges - 70);
      return new Customer(60 + random.nextInt(13), charges, 0, "two-year", churns(z, random));
    }
    int tenure = 1 + random.nextInt(72);
    double charges = 20 + random.nextDouble() * 100;
    int calls = random.nextInt(8);
    String contract = CONTRACTS[random.nextInt(3)];
    double z = 2 * (-0.06 * tenure + 0.5 * calls + 0.01 * charges + (contract.equals("month-to-month") ? 1.2 : -0.8));
    return new Customer(tenure, charges, calls, contract, churns(z, random));
  }

  private static boolean churns(double logit, Random random) {
    return 1 / (1 + Math.exp(-logit)) > random.nextDouble();
  }

  /** The CSV (UTF-8, header first) of {@code rows} customers; {@code shiftedShare} of them (0..1) from the shifted population. */
  public static byte[] csv(int rows, long seed, double shiftedShare) {
    Random random = new Random(seed);
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    for (int i = 0; i < rows; i++) {
      Population population = random.nextDouble() < shiftedShare ? Population.SHIFTED : Population.TODAY;
      csv.append(customer(population, random).csvLine()).append('\n');
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A CSV file of {@code rows} customers; {@code shiftedShare} of them (0..1) from the shifted population. */
  public static Path writeCsv(Path file, int rows, long seed, double shiftedShare) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.write(file, csv(rows, seed, shiftedShare));
  }

  /** A CSV of today's customers. */
  public static Path writeCsv(Path file, int rows, long seed) throws IOException {
    return writeCsv(file, rows, seed, 0);
  }

  /** A valid one-row inference request from today's customers. */
  public static String validRequest(Random random) {
    return customer(Population.TODAY, random).request(null);
  }

  /**
   * A valid one-row request from the shifted customers: long tenure (60–72 months), no support calls, two-year
   * contracts — far from the training data, so drift rises.
   */
  public static String shiftedRequest(Random random) {
    return customer(Population.SHIFTED, random).request(null);
  }

  /** The i-th of a few kinds of malformed request: bad JSON, no inputs, a missing feature, an unknown one. */
  public static String malformedRequest(int i) {
    return MALFORMED[i % MALFORMED.length];
  }
}
