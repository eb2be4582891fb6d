package dev.flywheel.model.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * Dynamic batching: requests' rows are combined into one inference of at most maxBatchRows rows. A worker waits
 * up to maxDelay for more rows, but only while other requests are in flight that could join, so a lone request
 * never waits. The queue is bounded by the server's admission limit, not here.
 */
final class Batcher implements AutoCloseable {
  private record Job(float[][] rows, CompletableFuture<float[][]> result) {}

  private static final Job STOP = new Job(new float[0][], null);

  private final UnaryOperator<float[][]> scorer;
  private final int maxBatchRows;
  private final long maxDelayNanos;
  private final AtomicInteger inFlight;
  private final IntConsumer batchSizes;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final List<Thread> workers = new ArrayList<>();

  /**
   * @param inFlight requests admitted and not yet answered (the server counts them)
   * @param batchSizes told the number of rows of every inference run
   */
  Batcher(UnaryOperator<float[][]> scorer, int maxBatchRows, long maxDelayNanos, int threads, AtomicInteger inFlight, IntConsumer batchSizes) {
    this.scorer = scorer;
    this.maxBatchRows = maxBatchRows;
    this.maxDelayNanos = maxDelayNanos;
    this.inFlight = inFlight;
    this.batchSizes = batchSizes;
    for (int i = 0; i < threads; i++) {
      Thread worker = new Thread(this::work, "inference-" + i);
      worker.setDaemon(true);
      worker.start();
      workers.add(worker);
    }
  }

  CompletableFuture<float[][]> submit(float[][] rows) {
    CompletableFuture<float[][]> result = new CompletableFuture<>();
    queue.add(new Job(rows, result));
    return result;
  }

  private void work() {
    Job carried = null;
    List<Job> batch = new ArrayList<>();
    while (true) {
      try {
        Job first = carried != null ? carried : queue.take();
        carried = null;
        if (first == STOP) {
          return;
        }
        batch.clear();
        batch.add(first);
        int rows = first.rows().length;
        long deadline = System.nanoTime() + maxDelayNanos;
        while (rows < maxBatchRows) {
          Job next = queue.poll();
          if (next == null) {
            long wait = deadline - System.nanoTime();
            if (wait <= 0 || inFlight.get() <= batch.size()) {
              break;
            }
            next = queue.poll(Math.min(wait, 200_000), TimeUnit.NANOSECONDS);
            if (next == null) {
              continue;
            }
          }
          if (next == STOP || rows + next.rows().length > maxBatchRows) {
            carried = next;
            break;
          }
          batch.add(next);
          rows += next.rows().length;
        }
        run(batch, rows);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void run(List<Job> batch, int rows) {
    try {
      float[][] all;
      if (batch.size() == 1) {
        all = batch.get(0).rows();
      } else {
        all = new float[rows][];
        int at = 0;
        for (Job job : batch) {
          System.arraycopy(job.rows(), 0, all, at, job.rows().length);
          at += job.rows().length;
        }
      }
      float[][] scores = scorer.apply(all);
      batchSizes.accept(rows);
      int at = 0;
      for (Job job : batch) {
        float[][] mine = new float[job.rows().length][];
        System.arraycopy(scores, at, mine, 0, mine.length);
        at += mine.length;
        job.result().complete(mine);
      }
    } catch (RuntimeException e) {
      batch.forEach(job -> job.result().completeExceptionally(e));
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
