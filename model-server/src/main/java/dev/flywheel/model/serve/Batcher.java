package dev.flywheel.model.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;

/**
 * Runs inference on its own threads, with dynamic batching: the rows of queued requests are combined into one
 * inference of at most maxBatchRows rows (1: batching off, each worker takes one request at a time). A worker takes
 * what is queued at once and waits up to maxDelay for more only while requests are still arriving (admitted and being
 * parsed), so a lone request never waits. Requests already answered (timed out) are skipped. The queue is bounded by
 * the server's admission limit, not here.
 */
final class Batcher implements AutoCloseable {
  private static final ScoringJob STOP = new ScoringJob(new float[0][], null, null);
  private static final long WAIT_SLICE_NANOS = 20_000;

  private final UnaryOperator<float[][]> scorer;
  private final int maxBatchRows;
  private final long maxDelayNanos;
  private final IntSupplier arriving;
  private final IntConsumer batchSizes;
  private final BlockingQueue<ScoringJob> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();

  /**
   * @param arriving requests admitted and not yet submitted here (the server counts them)
   * @param batchSizes told the number of rows of every inference run
   */
  Batcher(UnaryOperator<float[][]> scorer, int maxBatchRows, long maxDelayNanos, int threads, IntSupplier arriving, IntConsumer batchSizes) {
    this.scorer = scorer;
    this.maxBatchRows = maxBatchRows;
    this.maxDelayNanos = maxDelayNanos;
    this.arriving = arriving;
    this.batchSizes = batchSizes;
    for (int i = 0; i < threads; i++) {
      Thread worker = new Thread(this::work, "inference-" + i);
      worker.setDaemon(true);
      worker.start();
      workers.add(worker);
    }
  }

  /**
   * Queues rows for inference. Cancelling the returned future skips them if they have not run yet.
   *
   * @param done runs when their inference is over, or when they were skipped
   */
  CompletableFuture<float[][]> submit(float[][] rows, Runnable done) {
    CompletableFuture<float[][]> result = new CompletableFuture<>();
    queue.add(new ScoringJob(rows, result, done));
    return result;
  }

  private void work() {
    ScoringJob carried = null;
    List<ScoringJob> batch = new ArrayList<>();
    while (true) {
      try {
        ScoringJob first = carried != null ? carried : queue.take();
        carried = null;
        if (first == STOP) {
          return;
        }
        if (first.skipped()) {
          continue;
        }
        batch.clear();
        batch.add(first);
        int rows = first.rows().length;
        long deadline = System.nanoTime() + maxDelayNanos;
        while (rows < maxBatchRows) {
          ScoringJob next = queue.poll();
          if (next == null) {
            long wait = deadline - System.nanoTime();
            if (wait <= 0 || arriving.getAsInt() == 0) {
              break;
            }
            // Sleep a slice rather than wait on the queue: one wake-up per slice, not one per arriving request.
            LockSupport.parkNanos(Math.min(wait, WAIT_SLICE_NANOS));
            continue;
          }
          if (next == STOP || rows + next.rows().length > maxBatchRows) {
            carried = next;
            break;
          }
          if (next.skipped()) {
            continue;
          }
          batch.add(next);
          rows += next.rows().length;
        }
        ScoringJob.scoreTogether(batch, rows, scorer, batchSizes);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    workers.forEach(w -> queue.add(STOP));
    for (Thread worker : workers) {
      try {
        worker.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
