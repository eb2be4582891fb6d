package dev.flywheel.operator.metrics;

import java.util.Objects;

/**
 * What one PromQL query returned: a number ({@link Outcome#VALUE}, possibly ±Inf, never NaN), or why there is none.
 * {@code value} is set only for VALUE; {@code message} is one line, fit for a status condition or an Event.
 */
public record QueryResult(Outcome outcome, Double value, String message) {
  private static final int MAX_MESSAGE = 512;

  /** How a query ended. */
  public enum Outcome {
    /** One number (a one-sample vector or a scalar); +Inf and -Inf are numbers. */
    VALUE,
    /** An empty vector: no series matched (nothing scraped yet, or a wrong label). */
    NO_DATA,
    /** The number was NaN (e.g. 0/0: a rate over no traffic). */
    NOT_A_NUMBER,
    /** Prometheus answered but not with one number: a PromQL error, several series, a range vector, 401/403, not its API. */
    QUERY_ERROR,
    /** Prometheus could not be reached: connection refused, unknown host, or no answer in time. */
    UNREACHABLE
  }

  public QueryResult {
    Objects.requireNonNull(outcome, "outcome");
    if ((outcome == Outcome.VALUE) != (value != null)) {
      throw new IllegalArgumentException("a value is given exactly for the outcome VALUE, not " + outcome);
    }
    if (value != null && value.isNaN()) {
      throw new IllegalArgumentException("NaN is the outcome NOT_A_NUMBER, not a value");
    }
    message = oneLine(message == null ? "" : message);
  }

  /** One number. */
  public static QueryResult value(double value) {
    return new QueryResult(Outcome.VALUE, value, PromNumbers.format(value));
  }

  public static QueryResult noData(String message) {
    return new QueryResult(Outcome.NO_DATA, null, message);
  }

  public static QueryResult notANumber(String message) {
    return new QueryResult(Outcome.NOT_A_NUMBER, null, message);
  }

  public static QueryResult queryError(String message) {
    return new QueryResult(Outcome.QUERY_ERROR, null, message);
  }

  public static QueryResult unreachable(String message) {
    return new QueryResult(Outcome.UNREACHABLE, null, message);
  }

  /** True only when the query returned a number. */
  public boolean available() {
    return outcome == Outcome.VALUE;
  }

  private static String oneLine(String text) {
    String line = text.replaceAll("[\\r\\n\\t]+", " ").strip();
    return line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE - 1) + "…" : line;
  }
}
