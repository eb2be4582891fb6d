package dev.flywheel.model.serve;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * One request's rows waiting for inference, and how several are scored as one batch; shared by the inference threads
 * ({@link Batcher}) and the event loops ({@link EventLoopBatcher}).
 *
 * @param done runs once the job's inference is over or the job was skipped (frees the request's admission place)
 */
record ScoringJob(float[][] rows, CompletableFuture<float[][]> result, Runnable done) {

  /** A job answered already (it timed out) is not scored; its place is freed at once. */
  boolean skipped() {
    if (!result.isDone()) {
      return false;
    }
    done.run();
    return true;
  }

  /**
   * Scores the jobs' rows (rows in all) in one inference and completes each job with its own scores. Each job's place
   * is freed (done) before its answer goes out: an answer written on an event loop may start the connection's next
   * pipelined request at once, and that one must find the place free. A failure of the model, an Error included,
   * fails every job of the batch and frees their places.
   */
  static void scoreTogether(List<ScoringJob> batch, int rows, UnaryOperator<float[][]> scorer, IntConsumer batchSizes) {
    float[][] scores;
    try {
      float[][] all;
      if (batch.size() == 1) {
        all = batch.get(0).rows();
      } else {
        all = new float[rows][];
        int at = 0;
        for (ScoringJob job : batch) {
          System.arraycopy(job.rows(), 0, all, at, job.rows().length);
          at += job.rows().length;
        }
      }
      scores = scorer.apply(all);
      batchSizes.accept(rows);
    } catch (Throwable e) {
      for (ScoringJob job : batch) {
        job.done().run();
        job.result().completeExceptionally(e);
      }
      return;
    }
    int at = 0;
    for (ScoringJob job : batch) {
      float[][] mine = new float[job.rows().length][];
      System.arraycopy(scores, at, mine, 0, mine.length);
      at += mine.length;
      job.done().run();
      job.result().complete(mine);
    }
  }
}
