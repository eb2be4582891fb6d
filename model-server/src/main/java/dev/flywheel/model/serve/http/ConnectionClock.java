package dev.flywheel.model.serve.http;

import java.time.Duration;

/**
 * The deadline of one connection, for the state it is in: a request's head must arrive within the header timeout
 * (counted from its first byte, or from the opening of the connection for its first request), its body within the
 * body timeout (from the end of the head), and a connection with nothing in progress closes after the idle timeout
 * (a new one that sends nothing, after the header timeout; while the server drains, after {@link #QUIET}). Written
 * on the connection's event loop; the deadline is read by the transport's sweep from another thread.
 */
final class ConnectionClock {
  /** While draining, a connection with nothing in progress for this long is closed. */
  static final Duration QUIET = Duration.ofMillis(500);
  private static final long NONE = Long.MAX_VALUE;

  /** What the connection is doing, as far as its deadline goes. */
  enum State {
    /** Waiting for the next request. */
    IDLE,
    /** A request's line and headers are arriving. */
    HEAD,
    /** A request's body is arriving. */
    BODY,
    /** Every request received is with the handler or waits its turn; the handler always answers. */
    ANSWERING,
    /** A refusal waits behind requests still being answered. */
    REFUSED,
    /** The answer that closes the connection is written; the client has a header timeout to read it. */
    CLOSING,
    CLOSED
  }

  private final long headerNanos;
  private final long bodyNanos;
  private final long idleNanos;
  private final long openedAt = System.nanoTime();
  private boolean fresh = true;
  private boolean headInProgress;
  private long headStartedAt;
  private long bodyStartedAt;
  private long lastActivity = openedAt;
  private long closingSince;
  private volatile boolean draining;
  private volatile long deadline;

  ConnectionClock(TransportSettings settings) {
    this.headerNanos = settings.headerTimeout().toNanos();
    this.bodyNanos = settings.bodyTimeout().toNanos();
    this.idleNanos = settings.idleTimeout().toNanos();
    this.deadline = openedAt + headerNanos;
  }

  void headStarted() {
    if (!headInProgress) {
      headInProgress = true;
      headStartedAt = fresh ? openedAt : System.nanoTime();
      fresh = false;
    }
  }

  void headEnded() {
    headInProgress = false;
    fresh = false;
  }

  void bodyStarted() {
    headEnded();
    bodyStartedAt = System.nanoTime();
  }

  void requestArrived() {
    lastActivity = System.nanoTime();
  }

  void answered() {
    lastActivity = System.nanoTime();
  }

  /** The server stopped reading for a while (too many requests waiting): the parts in progress start their time again. */
  void resumedAfterPause() {
    long now = System.nanoTime();
    headStartedAt = now;
    bodyStartedAt = now;
  }

  void drain() {
    draining = true;
  }

  boolean draining() {
    return draining;
  }

  boolean headInProgress() {
    return headInProgress;
  }

  void update(State state) {
    deadline = switch (state) {
      case BODY -> bodyStartedAt + bodyNanos;
      case HEAD -> headStartedAt + headerNanos;
      case IDLE -> lastActivity + Math.min(fresh ? headerNanos : idleNanos, draining ? QUIET.toNanos() : NONE);
      case CLOSING -> {
        if (closingSince == 0) {
          closingSince = System.nanoTime();
        }
        yield closingSince + headerNanos;
      }
      case ANSWERING, REFUSED, CLOSED -> NONE;
    };
  }

  /** Whether the deadline of the state last recorded has passed; safe from any thread. */
  boolean expired(long now) {
    long d = deadline;
    return d != NONE && now - d >= 0;
  }

  /** The timeout of a HEAD or BODY state, for its 408 answer ("10 s", "300 ms"). */
  String describe(State state) {
    long nanos = state == State.BODY ? bodyNanos : headerNanos;
    Duration d = Duration.ofNanos(nanos);
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
