package dev.flywheel.model.cli;

import dev.flywheel.crds.common.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The --name value (or --name=value) options of one command, checked against the options the command knows; an
 * option named repeatable may be given several times (--data a.csv --data more/), in order.
 */
public final class Options {
  private final String command;
  private final Map<String, String> values;
  private final Map<String, List<String>> repeated;

  private Options(String command, Map<String, String> values, Map<String, List<String>> repeated) {
    this.command = command;
    this.values = values;
    this.repeated = repeated;
  }

  /** Parses args; refuses unknown options, options without a value, repeated options and missing required ones. */
  public static Options parse(String command, String[] args, Set<String> known, Set<String> required) {
    return parse(command, args, known, required, Set.of());
  }

  /** The same, where the options in repeatable may be given more than once (see {@link #all}). */
  public static Options parse(String command, String[] args, Set<String> known, Set<String> required, Set<String> repeatable) {
    Map<String, String> values = new HashMap<>();
    Map<String, List<String>> repeated = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException(command + ": unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      } else {
        throw new UsageException(command + ": option --" + name + " needs a value");
      }
      if (!known.contains(name)) {
        throw new UsageException(command + ": unknown option --" + name + " (known: --" + String.join(", --", known.stream().sorted().toList()) + ")");
      }
      repeated.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
      if (values.putIfAbsent(name, value) != null && !repeatable.contains(name)) {
        throw new UsageException(command + ": option --" + name + " is given twice");
      }
    }
    for (String name : required) {
      if (!values.containsKey(name)) {
        throw new UsageException(command + ": option --" + name + " is required");
      }
    }
    return new Options(command, values, repeated);
  }

  public String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  public String required(String name) {
    return values.get(name);
  }

  /** Every value of a repeatable option, in the order given; empty when absent. */
  public List<String> all(String name) {
    return List.copyOf(repeated.getOrDefault(name, List.of()));
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public int intValue(String name, int fallback, int min, int max) {
    String text = values.get(name);
    if (text == null) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(text);
      if (value < min || value > max) {
        throw new UsageException(command + ": --" + name + " must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + name + " must be a whole number, got '" + text + "'");
    }
  }

  public long longValue(String name, long fallback) {
    String text = values.get(name);
    try {
      return text == null ? fallback : Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + name + " must be a whole number, got '" + text + "'");
    }
  }

  public double doubleValue(String name, double fallback, double minExclusive, double maxInclusive) {
    String text = values.get(name);
    if (text == null) {
      return fallback;
    }
    try {
      double value = Double.parseDouble(text);
      if (!(value > minExclusive && value <= maxInclusive)) {
        throw new UsageException(command + ": --" + name + " must be greater than " + minExclusive + " and at most " + maxInclusive + ", got " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + name + " must be a number, got '" + text + "'");
    }
  }

  public Duration duration(String name, Duration fallback) {
    String text = values.get(name);
    try {
      return text == null ? fallback : Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException(command + ": --" + name + " " + e.getMessage());
    }
  }

  /** A comma-separated list (for example --features a,b,c); null when absent. */
  public List<String> list(String name) {
    String text = values.get(name);
    return text == null ? null : Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** A comma-separated list of positive whole numbers (for example --hidden-layers 64,32). */
  public List<Integer> intList(String name, List<Integer> fallback) {
    List<String> items = list(name);
    if (items == null) {
      return fallback;
    }
    try {
      List<Integer> numbers = items.stream().map(Integer::parseInt).toList();
      if (numbers.isEmpty() || numbers.stream().anyMatch(n -> n < 1 || n > 4096)) {
        throw new NumberFormatException();
      }
      return numbers;
    } catch (NumberFormatException e) {
      throw new UsageException(command + ": --" + name + " must be comma-separated whole numbers from 1 to 4096, got '" + values.get(name) + "'");
    }
  }
}
