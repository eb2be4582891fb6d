package dev.flywheel.model.serve.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * Captured rows as CSV lines that {@code flywheel-model train} reads back: RFC 4180 quoting where a field needs it,
 * numbers as the shortest text that reads back to the same value (whole numbers without ".0").
 */
final class CsvLines {
  private CsvLines() {}

  /** The header: the features in the model's order, then the label column. */
  static String header(List<String> features, String label) {
    List<String> names = new ArrayList<>(features);
    names.add(label);
    return String.join(",", names.stream().map(CsvLines::field).toList());
  }

  /** One row: raw feature values (Double for numeric features, String for categorical ones) and the label's text. */
  static String line(Object[] row, String label) {
    StringBuilder line = new StringBuilder(16 * (row.length + 1));
    for (Object value : row) {
      line.append(value instanceof Number n ? number(n.doubleValue()) : field(String.valueOf(value))).append(',');
    }
    return line.append(field(label)).toString();
  }

  /** A row training can read: no categorical value is empty (training refuses missing values). */
  static boolean usable(Object[] row) {
    for (Object value : row) {
      if (value instanceof String s && s.isBlank()) {
        return false;
      }
    }
    return true;
  }

  static String number(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  /** A field, quoted when it holds a comma, a quote, a line break, or space at either end. */
  static String field(String text) {
    boolean quote = text.isEmpty() || !text.equals(text.strip());
    for (int i = 0; i < text.length() && !quote; i++) {
      char c = text.charAt(i);
      quote = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
  }
}
