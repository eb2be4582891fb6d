package dev.flywheel.operator.metrics;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read up to a byte limit: a query that returns thousands of series is refused without holding them
 * all in memory (the rest of the body is not read; the connection is dropped).
 */
record BoundedBody(String text, boolean tooLarge) {
  static HttpResponse.BodyHandler<BoundedBody> handler(int limit) {
    return info -> new Subscriber(limit);
  }

  /** Collects bytes until the body ends or passes the limit. */
  private static final class Subscriber implements HttpResponse.BodySubscriber<BoundedBody> {
    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<BoundedBody> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    Subscriber(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<BoundedBody> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer buffer : buffers) {
        int length = buffer.remaining();
        if (bytes.size() + length > limit) {
          result.complete(new BoundedBody("", true));
          subscription.cancel();
          return;
        }
        byte[] chunk = new byte[length];
        buffer.get(chunk);
        bytes.write(chunk, 0, length);
      }
    }

    @Override
    public void onError(Throwable failure) {
      result.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      result.complete(new BoundedBody(bytes.toString(StandardCharsets.UTF_8), false));
    }
  }
}
