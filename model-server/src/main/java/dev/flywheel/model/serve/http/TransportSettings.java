package dev.flywheel.model.serve.http;

import java.time.Duration;

/**
 * How the HTTP listener runs: where it binds, how many connections and bytes it takes, and how long a connection may
 * take for each part of a request, sit idle, or keep being served after shutdown began.
 *
 * @param ioThreads event-loop threads that read, parse and answer requests
 * @param maxBodyBytes larger bodies are discarded and the call marked {@link HttpCall#bodyTooLarge()}
 * @param maxConnections connections open at once; one more is answered 503 and closed before it is read
 * @param idleTimeout a connection with nothing in progress for this long is closed
 * @param headerTimeout the request line and headers must arrive within this, counted from their first byte (or from
 *     the connection's opening, for its first request); otherwise 408 and close
 * @param bodyTimeout a request's body must arrive whole within this, counted from the end of its headers; otherwise
 *     408 and close
 * @param drainGrace after {@link HttpTransport#close()} begins, the listener keeps accepting and serving as usual for
 *     this long (load balancers take that long to stop sending new connections here)
 * @param finishGrace after the drain grace, requests already received or arriving are answered for at most this long;
 *     then every connection closes
 */
public record TransportSettings(
    String host,
    int port,
    int ioThreads,
    int maxBodyBytes,
    int maxConnections,
    Duration idleTimeout,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration drainGrace,
    Duration finishGrace) {

  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_DRAIN_GRACE = Duration.ofSeconds(5);

  /** The server's defaults for a listener on host:port, without a drain grace (what embedded and test servers want). */
  public static TransportSettings defaults(String host, int port) {
    return new TransportSettings(host, port, Runtime.getRuntime().availableProcessors(), 1 << 20, 10_000, Duration.ofMinutes(2),
        DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT, Duration.ZERO, Duration.ofSeconds(10));
  }

  public TransportSettings withLimits(int ioThreads, int maxBodyBytes, int maxConnections) {
    return new TransportSettings(host, port, ioThreads, maxBodyBytes, maxConnections, idleTimeout, headerTimeout, bodyTimeout,
        drainGrace, finishGrace);
  }

  public TransportSettings withTimeouts(Duration idleTimeout, Duration headerTimeout, Duration bodyTimeout) {
    return new TransportSettings(host, port, ioThreads, maxBodyBytes, maxConnections, idleTimeout, headerTimeout, bodyTimeout,
        drainGrace, finishGrace);
  }

  public TransportSettings withDrain(Duration drainGrace, Duration finishGrace) {
    return new TransportSettings(host, port, ioThreads, maxBodyBytes, maxConnections, idleTimeout, headerTimeout, bodyTimeout,
        drainGrace, finishGrace);
  }
}
