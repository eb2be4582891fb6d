package dev.flywheel.sandbox.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many requests the API answered, by verb and resource ("PUT deployments", "PATCH modeldeployments/status",
 * "WATCH pods", "GET discovery"): the operator benchmark's API requests per object and per resync.
 */
public final class RequestCounts {
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  void count(String method, ResourcePath path, boolean watch) {
    String verb = watch ? "WATCH" : path != null && path.collection() && method.equals("GET") ? "LIST" : method;
    String resource = path == null ? "discovery"
        : path.subresource() == null ? path.plural() : path.plural() + "/" + path.subresource();
    counts.computeIfAbsent(verb + " " + resource, key -> new LongAdder()).increment();
  }

  /** The counts so far, sorted by verb and resource. */
  public Map<String, Long> snapshot() {
    Map<String, Long> snapshot = new TreeMap<>();
    counts.forEach((key, count) -> snapshot.put(key, count.sum()));
    return snapshot;
  }

  /** The sum of every count whose key matches (for example, every write: key -> !key.startsWith("GET")). */
  public long total(java.util.function.Predicate<String> keys) {
    return snapshot().entrySet().stream().filter(entry -> keys.test(entry.getKey())).mapToLong(Map.Entry::getValue).sum();
  }
}
