package dev.flywheel.sandbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Streams a watch as kube-apiserver does over plain HTTP: a chunked response of newline-delimited JSON events
 * ({"type":"ADDED","object":{...}}, the object rendered as a Table when asked), until timeoutSeconds (30 minutes at most), the client leaves or the server stops.
 */
final class WatchStreamer {
  private static final long LONGEST_SECONDS = 1800;
  private static final long BOOKMARK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(20);

  private WatchStreamer() {}

  /**
   * @param bookmarks whether the client asked for BOOKMARK events (allowWatchBookmarks): one goes every 20 s without
   *     events, which also finds out clients that left (their watch ends instead of waiting for the timeout)
   */
  static void stream(HttpExchange exchange, WatchHub.Watch watch, String timeoutSeconds, boolean bookmarks,
      UnaryOperator<JsonNode> render) throws IOException {
    long seconds = LONGEST_SECONDS;
    if (timeoutSeconds != null && !timeoutSeconds.isEmpty()) {
      try {
        seconds = Math.min(LONGEST_SECONDS, Math.max(1, Long.parseLong(timeoutSeconds)));
      } catch (NumberFormatException e) {
        watch.close();
        throw ApiException.badRequest("invalid timeoutSeconds \"" + timeoutSeconds + "\"");
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0);
    try (watch; OutputStream out = exchange.getResponseBody()) {
      out.flush();
      long lastWrite = System.nanoTime();
      while (System.nanoTime() < deadline) {
        Change change = watch.next(Math.min(1000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1),
            TimeUnit.MILLISECONDS);
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        if (change != null) {
          event.put("type", change.type());
          event.set("object", render.apply(change.object()));
        } else if (bookmarks && System.nanoTime() - lastWrite > BOOKMARK_EVERY_NANOS) {
          event.put("type", "BOOKMARK");
          event.putObject("object").put("kind", watch.type().kind()).put("apiVersion", watch.type().apiVersion())
              .putObject("metadata").put("resourceVersion", String.valueOf(watch.bookmarkVersion()));
        } else {
          continue;
        }
        out.write(ApiRequest.JSON.writeValueAsBytes(event));
        out.write("\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        lastWrite = System.nanoTime();
        if (change != null) {
          watch.delivered(change);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client went away.
    }
  }
}
