package dev.flywheel.model.serve.capture;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the model server captures labelled production traffic for retraining.
 *
 * @param directory local directory the CSV shards go to (a mounted volume in a pod)
 * @param sampleRate share of requests whose rows are held for their labels, chosen by request id (1 = all)
 * @param maxPending most scored rows held waiting for their labels; past it the oldest are let go (expired), and as
 *     many labelled rows may wait for the disk before more are dropped
 * @param maxRowsPerShard a shard is closed (renamed from .csv.tmp to .csv) once it holds this many rows
 * @param maxShardAge a shard is closed once it has been open this long, however few rows it holds
 */
public record CaptureSettings(Path directory, double sampleRate, int maxPending, int maxRowsPerShard, Duration maxShardAge) {
  public static final double DEFAULT_SAMPLE_RATE = 1.0;
  public static final int DEFAULT_MAX_PENDING = 10_000;
  public static final int DEFAULT_MAX_ROWS_PER_SHARD = 100_000;
  public static final Duration DEFAULT_MAX_SHARD_AGE = Duration.ofMinutes(15);

  /** Captures everything into directory with the default limits. */
  public static CaptureSettings defaults(Path directory) {
    return new CaptureSettings(directory, DEFAULT_SAMPLE_RATE, DEFAULT_MAX_PENDING, DEFAULT_MAX_ROWS_PER_SHARD, DEFAULT_MAX_SHARD_AGE);
  }

  public CaptureSettings withLimits(int maxPending, int maxRowsPerShard, Duration maxShardAge) {
    return new CaptureSettings(directory, sampleRate, maxPending, maxRowsPerShard, maxShardAge);
  }

  public CaptureSettings withSampleRate(double sampleRate) {
    return new CaptureSettings(directory, sampleRate, maxPending, maxRowsPerShard, maxShardAge);
  }
}
