package dev.flywheel.model.serve.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request as the server's handlers see it: method, path and the whole body. It is answered exactly
 * once, from any thread; answers on one connection go out in the order its requests came in.
 */
public final class HttpCall {
  private final Channel channel;
  private final String method;
  private final String path;
  private final byte[] body;
  private final boolean bodyTooLarge;
  private final boolean keepAlive;
  private final HttpVersion version;
  private final Runnable afterAnswer;
  private final AtomicBoolean answered = new AtomicBoolean();

  HttpCall(Channel channel, String method, String path, byte[] body, boolean bodyTooLarge, boolean keepAlive,
      HttpVersion version, Runnable afterAnswer) {
    this.channel = channel;
    this.method = method;
    this.path = path;
    this.body = body;
    this.bodyTooLarge = bodyTooLarge;
    this.keepAlive = keepAlive;
    this.version = version;
    this.afterAnswer = afterAnswer;
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

  /**
   * Sends the answer (a HEAD request gets the headers only). Later calls are ignored.
   *
   * @param extraHeaders name, value, name, value…
   * @return whether this call sent the answer
   */
  public boolean respond(int status, String contentType, byte[] content, String... extraHeaders) {
    if (!answered.compareAndSet(false, true)) {
      return false;
    }
    boolean head = method.equals("HEAD");
    FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status),
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
    HttpHeaders out = response.headers();
    out.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    out.setInt(HttpHeaderNames.CONTENT_LENGTH, content.length);
    for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
      out.set(extraHeaders[i], extraHeaders[i + 1]);
    }
    boolean close = !keepAlive || bodyTooLarge;
    if (close) {
      out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version == HttpVersion.HTTP_1_0) {
      out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    if (channel.eventLoop().inEventLoop()) {
      write(response, close);
    } else {
      channel.eventLoop().execute(() -> write(response, close));
    }
    return true;
  }

  private void write(FullHttpResponse response, boolean close) {
    if (close) {
      channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.writeAndFlush(response, channel.voidPromise());
    }
    afterAnswer.run();
  }
}
