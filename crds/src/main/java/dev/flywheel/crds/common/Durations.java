package dev.flywheel.crds.common;

import java.time.Duration;
import java.util.regex.Matcher;

/** Parses the Go-style durations that the CRDs accept (for example 500ms, 30s, 1h30m). */
public final class Durations {
  private static final java.util.regex.Pattern PART =
      java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private Durations() {}

  /** Returns the duration, or throws IllegalArgumentException naming the bad text. */
  public static Duration parse(String text) {
    if (text == null || !text.matches(Patterns.DURATION)) {
      throw new IllegalArgumentException("not a duration (expected e.g. 30s, 10m, 1h30m): " + text);
    }
    Matcher m = PART.matcher(text);
    double nanos = 0;
    while (m.find()) {
      double n = Double.parseDouble(m.group(1));
      nanos += switch (m.group(2)) {
        case "ms" -> n * 1e6;
        case "s" -> n * 1e9;
        case "m" -> n * 60e9;
        default -> n * 3600e9;
      };
    }
    return Duration.ofNanos(Math.round(nanos));
  }
}
