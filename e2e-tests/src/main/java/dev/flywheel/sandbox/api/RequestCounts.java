package dev.flywheel.sandbox.api;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * How many requests the API answered, by client (User-Agent) and by verb and resource ("PUT deployments",
 * "PATCH modeldeployments/status", "WATCH pods", "GET discovery"): the operator benchmark's API requests per object
 * and per resync, told apart from the sandbox's own ({@link LocalApiServer#OWN_USER_AGENT}).
 */
public final class RequestCounts {
  private final Map<String, Map<String, LongAdder>> countsByClient = new ConcurrentHashMap<>();

  void count(String userAgent, String method, ResourcePath path, boolean watch) {
    String verb = watch ? "WATCH" : path != null && path.collection() && method.equals("GET") ? "LIST" : method;
    String resource = path == null ? "discovery"
        : path.subresource() == null ? path.plural() : path.plural() + "/" + path.subresource();
    countsByClient.computeIfAbsent(userAgent == null ? "" : userAgent, client -> new ConcurrentHashMap<>())
        .computeIfAbsent(verb + " " + resource, key -> new LongAdder()).increment();
  }

  /** The counts so far of every client, sorted by verb and resource. */
  public Map<String, Long> snapshot() {
    return snapshot(client -> true);
  }

  /** The counts so far of the clients whose User-Agent matches, sorted by verb and resource. */
  public Map<String, Long> snapshot(Predicate<String> userAgents) {
    Map<String, Long> snapshot = new TreeMap<>();
    countsByClient.forEach((client, counts) -> {
      if (userAgents.test(client)) {
        counts.forEach((key, count) -> snapshot.merge(key, count.sum(), Long::sum));
      }
    });
    return snapshot;
  }

  /** The sum of every count whose key matches (for example, every write: key -> !key.startsWith("GET")). */
  public long total(Predicate<String> keys) {
    return snapshot().entrySet().stream().filter(entry -> keys.test(entry.getKey())).mapToLong(Map.Entry::getValue).sum();
  }
}
