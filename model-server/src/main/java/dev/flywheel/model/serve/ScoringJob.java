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

  /** Scores the jobs' rows (rows in all) in one inference and completes each job with its own scores. */
  static void scoreTogether(List<ScoringJob> batch, int rows, UnaryOperator<float[][]> scorer, IntConsumer batchSizes) {
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
      float[][] scores = scorer.apply(all);
      batchSizes.accept(rows);
      int at = 0;
      for (ScoringJob job : batch) {
        float[][] mine = new float[job.rows().length][];
        System.arraycopy(scores, at, mine, 0, mine.length);
        at += mine.length;
        job.result().complete(mine);
      }
    } catch (RuntimeException e) {
      batch.forEach(job -> job.result().completeExceptionally(e));
    } finally {
      batch.forEach(job -> job.done().run());
    }
  }
}
