package dev.flywheel.model.serve;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Where the model runs: on inference threads with dynamic batching ({@link Batcher}), or on the I/O thread that read
 * the request, batched with the others of its event loop's turn ({@link EventLoopBatcher}; a caller that is not an
 * event loop, such as the warm-up, scores right where it is). --inference-threads N picks threads, 0 the event loops,
 * and auto (the default) the event loops for a model whose full batch takes at most 200 µs, measured at warm-up.
 */
final class ModelScoring implements AutoCloseable {
  /** A full batch that takes longer than this at warm-up goes to inference threads under --inference-threads auto. */
  static final long EVENT_LOOP_BUDGET_NANOS = 200_000;

  private final UnaryOperator<float[][]> scorer;
  private final ServerSettings settings;
  private final Admission admission;
  private final ServerMetrics metrics;
  private final EventLoopBatcher loopBatcher;
  private volatile Batcher batcher;
  private volatile String placement;

  ModelScoring(UnaryOperator<float[][]> scorer, ServerSettings settings, Admission admission, ServerMetrics metrics) {
    this.scorer = scorer;
    this.settings = settings;
    this.admission = admission;
    this.metrics = metrics;
    this.loopBatcher = new EventLoopBatcher(scorer, settings.maxBatchSize(), metrics::batch);
    if (settings.inferenceThreads() > 0) {
      useThreads(settings.inferenceThreads(), "as --inference-threads says");
    } else {
      placement = "on the I/O threads, batched per event-loop turn";
    }
  }

  /**
   * Under --inference-threads auto, times full batches of the row and keeps the model on the I/O threads if one takes
   * at most {@link #EVENT_LOOP_BUDGET_NANOS}, else moves it to inference threads. A fresh process runs its first batches
   * many times slower (the JIT, the engine's first runs), so it runs 2,000 batches or for 1 s, whichever comes first,
   * and takes the median of the last 100.
   */
  void choosePlacement(float[] typicalRow) {
    if (settings.inferenceThreads() != ServerSettings.INFERENCE_THREADS_AUTO) {
      return;
    }
    float[][] batch = new float[Math.max(1, settings.maxBatchSize())][];
    Arrays.fill(batch, typicalRow);
    long[] last = new long[100];
    int runs = 0;
    long deadline = System.nanoTime() + 1_000_000_000L;
    do {
      long started = System.nanoTime();
      scorer.apply(batch);
      last[runs++ % last.length] = System.nanoTime() - started;
    } while (runs < 2_000 && System.nanoTime() - deadline < 0);
    long[] measured = Arrays.copyOf(last, Math.min(runs, last.length));
    Arrays.sort(measured);
    long median = measured[measured.length / 2];
    String timing = String.format(Locale.ROOT, "a batch of %d rows took %d µs at warm-up (median of %d), budget %d µs", batch.length, median / 1000, measured.length,
        EVENT_LOOP_BUDGET_NANOS / 1000);
    if (median <= EVENT_LOOP_BUDGET_NANOS) {
      placement = "on the I/O threads, batched per event-loop turn (" + timing + ")";
    } else {
      useThreads(ServerSettings.defaultInferenceThreads(settings.maxBatchSize()), timing);
    }
  }

  private void useThreads(int threads, String why) {
    batcher = new Batcher(scorer, settings.maxBatchSize(), settings.maxBatchDelay().toNanos(), threads, admission::arriving, metrics::batch);
    placement = "on " + threads + " inference thread" + (threads == 1 ? "" : "s") + " (" + why + ")";
  }

  /** Where the model runs, and why, for the start-up line. */
  String placement() {
    return placement;
  }

  /**
   * Scores encoded rows. Cancelling the future skips rows still queued.
   *
   * @param done runs when the inference is over or was skipped (frees the request's admission place)
   */
  CompletableFuture<float[][]> score(float[][] encoded, Runnable done) {
    Batcher threads = batcher;
    if (threads != null) {
      return threads.submit(encoded, done);
    }
    CompletableFuture<float[][]> onTheLoop = loopBatcher.submit(encoded, done);
    if (onTheLoop != null) {
      return onTheLoop;
    }
    try {
      float[][] scores = scorer.apply(encoded);
      metrics.batch(encoded.length);
      return CompletableFuture.completedFuture(scores);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      done.run();
    }
  }

  @Override
  public void close() {
    Batcher threads = batcher;
    if (threads != null) {
      threads.close();
    }
  }
}
