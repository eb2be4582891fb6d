package dev.flywheel.model.serve.capture;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What became of the rows held for capture, for flywheel_capture_rows_total{result}: captured (in a closed shard),
 * expired (never labelled: let go as the oldest past the pending bound, or still waiting at shutdown), dropped
 * (labelled but not written: the disk queue was full, or a value training would refuse), failed (the write failed);
 * and how many shards were closed.
 */
public final class CaptureCounts {
  public static final String CAPTURED = "captured";
  public static final String EXPIRED = "expired";
  public static final String DROPPED = "dropped";
  public static final String FAILED = "failed";
  public static final List<String> RESULTS = List.of(CAPTURED, EXPIRED, DROPPED, FAILED);

  private final LongAdder captured = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder shards = new LongAdder();

  void add(String result, long rows) {
    adder(result).add(rows);
  }

  void shardClosed() {
    shards.increment();
  }

  /** Rows with one of {@link #RESULTS}. */
  public long rows(String result) {
    return adder(result).sum();
  }

  public long shards() {
    return shards.sum();
  }

  private LongAdder adder(String result) {
    return switch (result) {
      case CAPTURED -> captured;
      case EXPIRED -> expired;
      case DROPPED -> dropped;
      case FAILED -> failed;
      default -> throw new IllegalArgumentException("no capture result " + result);
    };
  }
}
