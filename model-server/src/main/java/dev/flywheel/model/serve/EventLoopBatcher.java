package dev.flywheel.model.serve;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * Runs inference on the I/O thread that read the requests, with no hand-off to another thread: the requests an event
 * loop reads in one turn (every connection that had data when it woke) are scored together, in inferences of at most
 * maxBatchRows rows, right after that turn's reads — before the loop sleeps again. A lone request is scored at once;
 * under load the batches grow with the number of connections that were ready together. No thread wakes another, so a
 * request costs no futex, no queue and no wake-up of the event loop to write its answer; the answer is written where
 * it is made. gRPC calls, which run on gRPC's own event loops, are batched the same way on theirs. For models whose
 * inference is cheap next to the HTTP work; a model that takes long would hold up that loop's connections while it
 * runs (those go to the inference threads instead).
 */
final class EventLoopBatcher {
  /** The requests one event loop read in its current turn. */
  private final class Turn implements Runnable {
    private List<ScoringJob> jobs = new ArrayList<>();
    private boolean scheduled;

    @Override
    public void run() {
      scheduled = false;
      List<ScoringJob> taken = jobs;
      jobs = new ArrayList<>(taken.size());
      runAll(taken);
    }
  }

  private final UnaryOperator<float[][]> scorer;
  private final int maxBatchRows;
  private final IntConsumer batchSizes;
  private final FastThreadLocal<Turn> turns = new FastThreadLocal<>() {
    @Override
    protected Turn initialValue() {
      return new Turn();
    }
  };

  EventLoopBatcher(UnaryOperator<float[][]> scorer, int maxBatchRows, IntConsumer batchSizes) {
    this.scorer = scorer;
    this.maxBatchRows = Math.max(1, maxBatchRows);
    this.batchSizes = batchSizes;
  }

  /**
   * Queues rows for the end of this event loop's turn; null when the caller is not on an event loop (it then scores
   * another way). Cancelling the future before the turn ends skips the rows.
   *
   * @param done runs when their inference is over or was skipped
   */
  CompletableFuture<float[][]> submit(float[][] rows, Runnable done) {
    Executor loop = currentEventLoop();
    if (loop == null) {
      return null;
    }
    Turn turn = turns.get();
    CompletableFuture<float[][]> result = new CompletableFuture<>();
    turn.jobs.add(new ScoringJob(rows, result, done));
    if (!turn.scheduled) {
      try {
        loop.execute(turn); // (from the loop itself: runs after this turn's reads, wakes nothing)
        turn.scheduled = true;
      } catch (RejectedExecutionException shuttingDown) {
        turn.run(); // the loop takes no more tasks: scored here and now
      }
    }
    return result;
  }

  /** The event loop running this thread: the HTTP transport's, or gRPC's (its calls run on its loops); else null. */
  private static Executor currentEventLoop() {
    EventExecutor http = ThreadExecutorMap.currentExecutor();
    if (http != null && http.inEventLoop()) {
      return http;
    }
    io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor grpc =
        io.grpc.netty.shaded.io.netty.util.internal.ThreadExecutorMap.currentExecutor();
    return grpc != null && grpc.inEventLoop() ? grpc : null;
  }

  private void runAll(List<ScoringJob> jobs) {
    List<ScoringJob> batch = new ArrayList<>();
    int rows = 0;
    for (ScoringJob job : jobs) {
      if (job.skipped()) {
        continue;
      }
      if (!batch.isEmpty() && rows + job.rows().length > maxBatchRows) {
        ScoringJob.scoreTogether(batch, rows, scorer, batchSizes); // answers on this thread: written without a hand-off
        batch = new ArrayList<>();
        rows = 0;
      }
      batch.add(job);
      rows += job.rows().length;
    }
    if (!batch.isEmpty()) {
      ScoringJob.scoreTogether(batch, rows, scorer, batchSizes);
    }
  }
}
