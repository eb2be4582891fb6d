package dev.flywheel.operator.common;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** RFC 3339 timestamps as status fields hold them: whole seconds, UTC, from the injected clock. */
public final class Timestamps {
  private Timestamps() {}

  public static String now(Clock clock) {
    return format(clock.instant());
  }

  public static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The instant of a stored timestamp; empty when it is missing or not one (a hand-edited status). */
  public static Optional<Instant> parse(String timestamp) {
    if (timestamp == null || timestamp.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(timestamp));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
