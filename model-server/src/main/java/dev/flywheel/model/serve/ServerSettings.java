package dev.flywheel.model.serve;

import dev.flywheel.model.serve.http.TransportSettings;
import java.time.Duration;

/**
 * How the model server runs.
 *
 * @param maxBatchSize most rows per inference; 1 turns batching off (each inference thread takes one request at a time)
 * @param maxConcurrentRequests requests admitted and not yet finished; more are answered 429 at once, so memory stays
 *     bounded (a request that timed out keeps its place until its inference is done or skipped)
 * @param requestTimeout longest a request waits for its inference before it is answered 503
 * @param maxRequestBytes larger bodies are answered 413 and not kept
 * @param maxConnections connections open at once; more are answered 503 and closed at once
 * @param maxRowsPerRequest rows one request may carry
 * @param driftWindow scored rows in the drift window
 * @param feedbackWindow labelled rows in the online accuracy window
 * @param ioThreads event-loop threads that read, parse and answer HTTP
 * @param inferenceThreads threads that run the model; 0 runs it on the I/O threads instead, batched per event-loop turn
 *     (no hand-off, so the least latency and CPU for a model that takes microseconds, but a slow model stalls every
 *     connection of its event loop); {@link #INFERENCE_THREADS_AUTO} picks one of the two at warm-up
 * @param idleTimeout keep-alive connections with nothing in progress for this long are closed
 * @param shutdownGrace after the drain grace, how long requests in progress still get to be answered
 * @param headerTimeout a request's line and headers must arrive within this (else 408 and close)
 * @param bodyTimeout a request's body must arrive within this after its headers (else 408 and close)
 * @param drainGrace at shutdown, readiness turns false and everything is served as usual for this long (so load
 *     balancers stop sending here) before the listener closes; {@link TransportSettings#DEFAULT_DRAIN_GRACE} for serve
 */
public record ServerSettings(
    String host,
    int port,
    String modelName,
    String modelVersion,
    int maxBatchSize,
    Duration maxBatchDelay,
    int maxConcurrentRequests,
    Duration requestTimeout,
    int maxRequestBytes,
    int maxConnections,
    int maxRowsPerRequest,
    int driftWindow,
    int feedbackWindow,
    int ioThreads,
    int inferenceThreads,
    Duration idleTimeout,
    Duration shutdownGrace,
    Duration headerTimeout,
    Duration bodyTimeout,
    Duration drainGrace) {

  /** Threads for the I/O or the model when each request is its own inference: one per core. */
  public static final int CORES = Runtime.getRuntime().availableProcessors();

  /** Default limits and windows; where to bind and what to call the model are the caller's. */
  public static ServerSettings defaults(String host, int port, String modelName, String modelVersion) {
    return new ServerSettings(host, port, modelName, modelVersion, 32, Duration.ofMillis(2), 256, Duration.ofSeconds(10),
        1 << 20, 10_000, 4096, 1000, 1000, CORES, 1, Duration.ofMinutes(2), Duration.ofSeconds(10),
        TransportSettings.DEFAULT_HEADER_TIMEOUT, TransportSettings.DEFAULT_BODY_TIMEOUT, Duration.ZERO);
  }

  public ServerSettings withModelVersion(String modelVersion) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxConnections, maxRowsPerRequest, driftWindow, feedbackWindow, ioThreads, inferenceThreads, idleTimeout, shutdownGrace,
        headerTimeout, bodyTimeout, drainGrace);
  }

  /**
   * --inference-threads auto: the I/O threads when a full batch of the model takes at most 200 µs at warm-up, else
   * {@link #defaultInferenceThreads} threads.
   */
  public static final int INFERENCE_THREADS_AUTO = -1;

  /** One inference thread with batching (it runs whole batches), one per core without (each runs one request). */
  public static int defaultInferenceThreads(int maxBatchSize) {
    return maxBatchSize > 1 ? 1 : CORES;
  }

  /** Batching on (maxBatchSize > 1) or off, with the default inference threads for it. */
  public ServerSettings withBatching(int maxBatchSize, Duration maxBatchDelay) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxConnections, maxRowsPerRequest, driftWindow, feedbackWindow, ioThreads, defaultInferenceThreads(maxBatchSize),
        idleTimeout, shutdownGrace,
        headerTimeout, bodyTimeout, drainGrace);
  }

  public ServerSettings withThreads(int ioThreads, int inferenceThreads) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxConnections, maxRowsPerRequest, driftWindow, feedbackWindow, ioThreads, inferenceThreads, idleTimeout, shutdownGrace,
        headerTimeout, bodyTimeout, drainGrace);
  }

  public ServerSettings withLimits(int maxConcurrentRequests, Duration requestTimeout) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxConnections, maxRowsPerRequest, driftWindow, feedbackWindow, ioThreads, inferenceThreads, idleTimeout, shutdownGrace,
        headerTimeout, bodyTimeout, drainGrace);
  }

  public ServerSettings withWindows(int driftWindow, int feedbackWindow) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxConnections, maxRowsPerRequest, driftWindow, feedbackWindow, ioThreads, inferenceThreads, idleTimeout, shutdownGrace,
        headerTimeout, bodyTimeout, drainGrace);
  }

  /** What the HTTP listener needs of these settings. */
  public TransportSettings transport() {
    return new TransportSettings(host, port, ioThreads, maxRequestBytes, maxConnections, idleTimeout, headerTimeout, bodyTimeout,
        drainGrace, shutdownGrace);
  }

  /** Slow-client timeouts and the drain grace at shutdown. */
  public ServerSettings withTransportTimeouts(Duration headerTimeout, Duration bodyTimeout, Duration drainGrace) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxConnections, maxRowsPerRequest, driftWindow, feedbackWindow, ioThreads, inferenceThreads, idleTimeout, shutdownGrace,
        headerTimeout, bodyTimeout, drainGrace);
  }
}
