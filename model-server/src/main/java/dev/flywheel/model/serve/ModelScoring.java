package dev.flywheel.model.serve;

import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Where the model runs: on the inference threads with dynamic batching ({@link Batcher}), or right on the calling
 * I/O thread when the server has no inference threads. Warm-up and requests take the same path.
 */
final class ModelScoring implements AutoCloseable {
  private final UnaryOperator<float[][]> scorer;
  private final Batcher batcher;
  private final ServerMetrics metrics;

  ModelScoring(UnaryOperator<float[][]> scorer, ServerSettings settings, Admission admission, ServerMetrics metrics) {
    this.scorer = scorer;
    this.metrics = metrics;
    this.batcher = settings.inferenceThreads() > 0
        ? new Batcher(scorer, settings.maxBatchSize(), settings.maxBatchDelay().toNanos(), settings.inferenceThreads(), admission::arriving,
            metrics::batch)
        : null;
  }

  /**
   * Scores encoded rows. Cancelling the future skips rows still queued.
   *
   * @param done runs when the inference is over or was skipped (frees the request's admission place)
   */
  CompletableFuture<float[][]> score(float[][] encoded, Runnable done) {
    if (batcher != null) {
      return batcher.submit(encoded, done);
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
    if (batcher != null) {
      batcher.close();
    }
  }
}
