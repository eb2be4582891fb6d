package dev.flywheel.sandbox.node;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Times as the API writes them (RFC 3339, whole seconds, UTC). */
final class Timestamps {
  private Timestamps() {}

  static String of(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  static String now() {
    return of(Instant.now());
  }

  static Instant parse(String timestamp) {
    return timestamp == null ? null : Instant.parse(timestamp);
  }
}
