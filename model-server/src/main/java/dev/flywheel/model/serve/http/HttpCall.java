package dev.flywheel.model.serve.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request as the server's handlers see it: method, path and the whole body. It is answered exactly
 * once, from any thread; answers on one connection go out in the order its requests came in.
 */
public final class HttpCall {
  private final RequestCollector connection;
  private final Channel channel;
  private final String method;
  private final String path;
  private final byte[] body;
  private final boolean bodyTooLarge;
  private final boolean keepAlive;
  private final HttpVersion version;
  private final Refusal refusal;
  private final AtomicBoolean answered = new AtomicBoolean();

  /** What the transport itself answers, in its turn, instead of the handler (then the connection closes). */
  record Refusal(int status, String message) {}

  HttpCall(RequestCollector connection, Channel channel, String method, String path, byte[] body, boolean bodyTooLarge,
      boolean keepAlive, HttpVersion version) {
    this(connection, channel, method, path, body, bodyTooLarge, keepAlive, version, null);
  }

  private HttpCall(RequestCollector connection, Channel channel, String method, String path, byte[] body, boolean bodyTooLarge,
      boolean keepAlive, HttpVersion version, Refusal refusal) {
    this.connection = connection;
    this.channel = channel;
    this.method = method;
    this.path = path;
    this.body = body;
    this.bodyTooLarge = bodyTooLarge;
    this.keepAlive = keepAlive;
    this.version = version;
    this.refusal = refusal;
  }

  /** A request the transport refuses (unreadable, unsupported, or too slow): answered HTTP/1.1, then the connection closes. */
  static HttpCall refusal(RequestCollector connection, Channel channel, String method, int status, String message) {
    return new HttpCall(connection, channel, method, "", new byte[0], false, false, HttpVersion.HTTP_1_1, new Refusal(status, message));
  }

  public String method() {
    return method;
  }

  /** The decoded path, without the query string. */
  public String path() {
    return path;
  }

  /** The request body; empty when {@link #bodyTooLarge()}. */
  public byte[] body() {
    return body;
  }

  /** The body was over the server's limit: it was discarded, not kept, and the connection closes after the answer. */
  public boolean bodyTooLarge() {
    return bodyTooLarge;
  }

  /** The transport's own answer for this call, or null for a request the handler answers. */
  Refusal refused() {
    return refusal;
  }

  /** Whether the connection must close after this answer, whatever comes after it. */
  boolean closesConnection() {
    return !keepAlive || bodyTooLarge || refusal != null;
  }

  /**
   * Sends the answer (a HEAD request gets the headers only). Later calls are ignored.
   *
   * @param extraHeaders name, value, name, value…
   * @return whether this call sent the answer
   */
  public boolean respond(int status, String contentType, byte[] content, String... extraHeaders) {
    return respond(status, contentType, content, content.length, extraHeaders);
  }

  /** Sends the first length bytes of content as the answer (an array sized before the answer was written). */
  public boolean respond(int status, String contentType, byte[] content, int length) {
    return respond(status, contentType, content, length, new String[0]);
  }

  private boolean respond(int status, String contentType, byte[] content, int length, String[] extraHeaders) {
    if (!answered.compareAndSet(false, true)) {
      return false;
    }
    HttpAnswer response = new HttpAnswer(status, contentType, method.equals("HEAD") ? null : content, length, extraHeaders);
    if (channel.eventLoop().inEventLoop()) {
      connection.write(this, response, version);
    } else {
      channel.eventLoop().execute(() -> connection.write(this, response, version));
    }
    return true;
  }
}
