package dev.flywheel.sandbox.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link LocalNode} runs: the namespaces it serves, its work dir, the flywheel-model launcher, the shared DJL cache,
 * JAVA_OPTS for containers that set none, whether it runs pods at all, where it writes Prometheus' file_sd targets, and
 * the first delay of the Job controller's and the kubelet's restart back-off (doubled per failure, at most 5 minutes;
 * Kubernetes uses 10 s).
 */
record NodeSettings(List<String> namespaces, Path workDir, Path launcher, Path djlCacheDir, String javaOptions, boolean runPods,
    Path scrapeTargetsFile, Duration backoff) {

  /** The back-off after the {@code failures}-th failure (1-based): backoff × 2^(failures-1), at most 5 minutes. */
  Duration backoffAfter(int failures) {
    long millis = backoff.toMillis() << Math.min(Math.max(failures - 1, 0), 20);
    return Duration.ofMillis(Math.min(millis, Duration.ofMinutes(5).toMillis()));
  }
}
