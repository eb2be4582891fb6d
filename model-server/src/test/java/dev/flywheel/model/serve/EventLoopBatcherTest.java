package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Requests read in one turn of an event loop are scored together on that loop, each answered with its own rows. */
class EventLoopBatcherTest {
  private final DefaultEventLoop loop = new DefaultEventLoop();
  private final List<Integer> inferences = new CopyOnWriteArrayList<>();
  private final List<Thread> scoredOn = new CopyOnWriteArrayList<>();
  /** Each row's score is its first value times ten. */
  private final UnaryOperator<float[][]> scorer = rows -> {
    scoredOn.add(Thread.currentThread());
    float[][] scores = new float[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      scores[r] = new float[] {rows[r][0] * 10};
    }
    return scores;
  };

  @AfterEach
  void stop() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private static float[][] rows(float... firsts) {
    float[][] rows = new float[firsts.length][];
    for (int i = 0; i < firsts.length; i++) {
      rows[i] = new float[] {firsts[i]};
    }
    return rows;
  }

  @Test
  void aTurnsRequestsAreOneInferenceAndEachGetsItsOwnRows() throws Exception {
    EventLoopBatcher batcher = new EventLoopBatcher(scorer, 32, inferences::add);
    AtomicInteger done = new AtomicInteger();
    List<CompletableFuture<float[][]>> results = loop.submit(() -> {
      List<CompletableFuture<float[][]>> submitted = new ArrayList<>();
      submitted.add(batcher.submit(rows(1), done::incrementAndGet));
      submitted.add(batcher.submit(rows(2, 3), done::incrementAndGet));
      submitted.add(batcher.submit(rows(4), done::incrementAndGet));
      assertThat(submitted).allMatch(f -> !f.isDone()); // scored after the turn, not during it
      return submitted;
    }).get(5, TimeUnit.SECONDS);
    assertThat(results.get(0).get(5, TimeUnit.SECONDS)).isDeepEqualTo(new float[][] {{10}});
    assertThat(results.get(1).get(5, TimeUnit.SECONDS)).isDeepEqualTo(new float[][] {{20}, {30}});
    assertThat(results.get(2).get(5, TimeUnit.SECONDS)).isDeepEqualTo(new float[][] {{40}});
    loop.submit(() -> {}).get(5, TimeUnit.SECONDS); // (after the turn's task has run to its end)
    assertThat(inferences).containsExactly(4);
    assertThat(scoredOn).allMatch(loop::inEventLoop);
    assertThat(done).hasValue(3);
  }

  @Test
  void batchesStayWithinTheirRowLimitAndAnsweredRequestsAreSkipped() throws Exception {
    EventLoopBatcher batcher = new EventLoopBatcher(scorer, 3, inferences::add);
    AtomicInteger done = new AtomicInteger();
    List<CompletableFuture<float[][]>> results = loop.submit(() -> {
      List<CompletableFuture<float[][]>> submitted = new ArrayList<>();
      submitted.add(batcher.submit(rows(1, 1), done::incrementAndGet));
      submitted.add(batcher.submit(rows(2, 2), done::incrementAndGet));
      CompletableFuture<float[][]> timedOut = batcher.submit(rows(9), done::incrementAndGet);
      timedOut.cancel(false); // (the request timeout answered it first)
      submitted.add(batcher.submit(rows(3), done::incrementAndGet));
      return submitted;
    }).get(5, TimeUnit.SECONDS);
    assertThat(results.get(2).get(5, TimeUnit.SECONDS)).isDeepEqualTo(new float[][] {{30}});
    loop.submit(() -> {}).get(5, TimeUnit.SECONDS); // (after the turn's task has run to its end)
    assertThat(inferences).containsExactly(2, 3);
    assertThat(done).as("the skipped request's place is freed too").hasValue(4);
  }

  @Test
  void aFailedInferenceFailsItsBatchFreesItsPlacesAndTheNextTurnStillRuns() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    EventLoopBatcher batcher = new EventLoopBatcher(rows -> {
      if (calls.getAndIncrement() == 0) {
        throw new AssertionError("engine failed"); // an Error, not only an exception
      }
      return scorer.apply(rows);
    }, 32, inferences::add);
    AtomicInteger done = new AtomicInteger();
    CompletableFuture<float[][]> failed = loop.submit(() -> batcher.submit(rows(1), done::incrementAndGet)).get(5, TimeUnit.SECONDS);
    assertThat(failed).failsWithin(5, TimeUnit.SECONDS);
    assertThat(done).hasValue(1);
    CompletableFuture<float[][]> next = loop.submit(() -> batcher.submit(rows(5), () -> {})).get(5, TimeUnit.SECONDS);
    assertThat(next.get(5, TimeUnit.SECONDS)).isDeepEqualTo(new float[][] {{50}});
  }

  @Test
  void eachPlaceIsFreedBeforeItsAnswerGoesOut() throws Exception {
    EventLoopBatcher batcher = new EventLoopBatcher(scorer, 32, inferences::add);
    AtomicInteger held = new AtomicInteger();
    List<Integer> heldWhenAnswered = new CopyOnWriteArrayList<>();
    loop.submit(() -> {
      for (int i = 0; i < 3; i++) {
        held.incrementAndGet();
        batcher.submit(rows(i), held::decrementAndGet).thenRun(() -> heldWhenAnswered.add(held.get()));
      }
    }).get(5, TimeUnit.SECONDS);
    loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
    // (an answer on the loop may start the connection's next pipelined request, which must find its place free)
    assertThat(heldWhenAnswered).containsExactly(2, 1, 0);
  }

  @Test
  void aCallerThatIsNotAnEventLoopIsToldToScoreElsewhere() {
    assertThat(new EventLoopBatcher(scorer, 32, inferences::add).submit(rows(1), () -> {})).isNull();
  }
}
