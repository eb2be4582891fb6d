package dev.flywheel.model.serve;

import java.time.Duration;

/**
 * How the model server runs.
 *
 * @param maxBatchSize most rows per inference; 1 turns batching off (each request runs on its own thread)
 * @param maxConcurrentRequests requests admitted at once; more are answered 429 at once, so memory stays bounded
 * @param requestTimeout longest a request waits for the batch worker before it is answered 503; a request alone in
 *     flight has nothing to wait for and runs inline on its own thread
 * @param maxRequestBytes larger bodies are answered 413 without being read
 * @param maxRowsPerRequest rows one request may carry
 * @param driftWindow scored rows in the drift window
 * @param feedbackWindow labelled rows in the online accuracy window
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
    int maxRowsPerRequest,
    int driftWindow,
    int feedbackWindow,
    int inferenceThreads,
    Duration shutdownGrace) {

  /** Default limits and windows; where to bind and what to call the model are the caller's. */
  public static ServerSettings defaults(String host, int port, String modelName, String modelVersion) {
    return new ServerSettings(host, port, modelName, modelVersion, 32, Duration.ofMillis(2), 256, Duration.ofSeconds(10),
        1 << 20, 4096, 1000, 1000, 1, Duration.ofSeconds(10));
  }

  public ServerSettings withModelVersion(String modelVersion) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxRowsPerRequest, driftWindow, feedbackWindow, inferenceThreads, shutdownGrace);
  }

  public ServerSettings withBatching(int maxBatchSize, Duration maxBatchDelay) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxRowsPerRequest, driftWindow, feedbackWindow, inferenceThreads, shutdownGrace);
  }

  public ServerSettings withLimits(int maxConcurrentRequests, Duration requestTimeout) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxRowsPerRequest, driftWindow, feedbackWindow, inferenceThreads, shutdownGrace);
  }

  public ServerSettings withWindows(int driftWindow, int feedbackWindow) {
    return new ServerSettings(host, port, modelName, modelVersion, maxBatchSize, maxBatchDelay, maxConcurrentRequests, requestTimeout,
        maxRequestBytes, maxRowsPerRequest, driftWindow, feedbackWindow, inferenceThreads, shutdownGrace);
  }
}
