package dev.flywheel.operator.metrics;

import java.util.Locale;
import java.util.Set;

/** Checks extra HTTP header names and values before they reach the HTTP client, with messages that never show a value. */
final class HeaderRules {
  /** Headers java.net.http.HttpClient sets itself and refuses from callers. */
  private static final Set<String> SET_BY_CLIENT = Set.of("connection", "content-length", "expect", "host", "upgrade");

  private HeaderRules() {}

  static void requireValidName(String name) {
    if (name == null || name.isEmpty() || !name.chars().allMatch(HeaderRules::isTokenChar)) {
      throw new IllegalArgumentException("'" + printable(name) + "' is not a valid HTTP header name");
    }
    if (SET_BY_CLIENT.contains(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("the HTTP header " + name + " cannot be set: the HTTP client sets it");
    }
  }

  /** A value may not hold control characters (CR or LF would split the request); what names it, never the value. */
  static void requireValidValue(String what, String value) {
    if (value == null || !value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f))) {
      throw new IllegalArgumentException(what + " is missing or contains control characters (a line break?)");
    }
  }

  private static boolean isTokenChar(int c) {
    return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }

  private static String printable(String name) {
    if (name == null) {
      return "null";
    }
    String shown = name.replaceAll("\\p{Cntrl}", "?");
    return shown.length() > 64 ? shown.substring(0, 64) + "…" : shown;
  }
}
