package dev.flywheel.operator.metrics;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Numbers as Prometheus writes them ("NaN", "+Inf", "-Inf") and as messages show them (short, never 1.0E-4). */
final class PromNumbers {
  private static final MathContext SHOWN = new MathContext(6);

  private PromNumbers() {}

  /**
   * A sample value string of Prometheus' JSON API. Go's strconv.FormatFloat writes "NaN", "+Inf" and "-Inf", which
   * Double.parseDouble does not read; case is ignored as Prometheus' own parser does.
   */
  static double parse(String text) {
    String t = text.strip();
    switch (t.toLowerCase(Locale.ROOT)) {
      case "nan":
        return Double.NaN;
      case "+inf":
      case "inf":
        return Double.POSITIVE_INFINITY;
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      default:
        if (t.isEmpty() || !t.chars().allMatch(c -> Character.isDigit(c) || "+-.eE".indexOf(c) >= 0)) {
          throw new NumberFormatException("'" + text + "' is not a number");
        }
        return Double.parseDouble(t);
    }
  }

  /** Six significant digits, plain notation: 0.034, 12.5, 3, +Inf. */
  static String format(double value) {
    return format(value, SHOWN);
  }

  /** Every digit of the shortest exact representation: shown when six digits would hide a difference. */
  static String formatExactly(double value) {
    return format(value, MathContext.UNLIMITED);
  }

  private static String format(double value, MathContext context) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == 0) {
      return "0";
    }
    return BigDecimal.valueOf(value).round(context).stripTrailingZeros().toPlainString();
  }
}
