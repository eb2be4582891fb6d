package dev.flywheel.sandbox.bench;

import dev.flywheel.sandbox.api.LocalApiServer;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The operator's API requests at one moment, by verb and resource: every request whose User-Agent is not the
 * sandbox's own client (the local node and the benchmark use that one), watches left out (a watch is one long request,
 * not a call per object).
 */
record OperatorRequests(Map<String, Long> counts) {
  static OperatorRequests of(LocalApiServer api) {
    return new OperatorRequests(api.requestCounts().snapshot(client -> !client.equals(LocalApiServer.OWN_USER_AGENT))
        .entrySet().stream().filter(entry -> !entry.getKey().startsWith("WATCH"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, Long::sum, TreeMap::new)));
  }

  /** The requests made since {@code earlier}. */
  OperatorRequests since(OperatorRequests earlier) {
    Map<String, Long> difference = new TreeMap<>();
    counts.forEach((key, count) -> {
      long added = count - earlier.counts.getOrDefault(key, 0L);
      if (added != 0) {
        difference.put(key, added);
      }
    });
    return new OperatorRequests(difference);
  }

  /** Leader election's renewals of its Lease: a steady few per second, whatever the number of objects. */
  OperatorRequests leases() {
    return new OperatorRequests(new TreeMap<>(counts.entrySet().stream().filter(entry -> entry.getKey().endsWith(" leases"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
  }

  /** The requests about the benchmark's objects and their children: everything but leader election's. */
  OperatorRequests withoutLeases() {
    return new OperatorRequests(new TreeMap<>(counts.entrySet().stream().filter(entry -> !entry.getKey().endsWith(" leases"))
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))));
  }

  long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** "PATCH trainingjobs/status 1.00, POST jobs 1.00, …": the counts divided by {@code per}, most frequent first. */
  String describe(double per) {
    if (counts.isEmpty()) {
      return "none";
    }
    return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .map(entry -> per == 1 ? entry.getKey() + " " + entry.getValue()
            : String.format(java.util.Locale.ROOT, "%s %.2f", entry.getKey(), entry.getValue() / per))
        .collect(Collectors.joining(", "));
  }
}
