package dev.flywheel.model.serve.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One per connection, on its event loop: gathers each request's body (up to the limit; a larger body is read and
 * dropped, at most 16 MiB of it, so the client is still reading when the 413 comes) and hands whole requests to the
 * handler one at a time, so pipelined requests are answered in order. What the transport refuses itself (HTTP it
 * cannot read or does not support, a request too slow to arrive) takes its turn like any request: every request
 * before it is answered, then the refusal, then the connection closes. Its {@link ConnectionClock} says when the
 * part of a request in progress, or the wait for the next one, has taken too long.
 */
final class RequestCollector extends ChannelInboundHandlerAdapter {
  private static final long DISCARD_LIMIT = 16L << 20;
  private static final int MAX_WAITING = 16;
  private static final int INITIAL_BODY_BYTES = 16_384;

  private final int maxBodyBytes;
  private final Consumer<HttpCall> handler;
  final ConnectionClock clock;
  private final ArrayDeque<HttpCall> waiting = new ArrayDeque<>();
  private HttpRequest request;
  private byte[] body;
  private int size;
  private boolean tooLarge;
  private long discarded;
  /** A handed-out call is not answered yet. */
  private boolean busy;
  /** A refusal is queued: nothing more is read from this connection. */
  private boolean refused;
  /** An answer that closes the connection was written. */
  private boolean closed;
  /** Reading stopped because MAX_WAITING requests wait for their turn (the server's doing, not the client's). */
  private boolean pausedForQueue;
  private ChannelHandlerContext context;

  RequestCollector(TransportSettings settings, Consumer<HttpCall> handler) {
    this.maxBodyBytes = settings.maxBodyBytes();
    this.handler = handler;
    this.clock = new ConnectionClock(settings);
  }

  Channel channel() {
    return context.channel();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  /** The decoder saw the first byte of a new request. */
  void requestStarted() {
    if (!refused && !closed) {
      clock.headStarted();
      clock.update(state());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (refused || closed) {
        return; // the rest of the stream is not read
      }
      if (msg instanceof HttpRequest r) {
        start(ctx, r);
      }
      if (msg instanceof HttpContent c && request != null) {
        if (c.decoderResult().isFailure()) {
          refuse(c.decoderResult().cause());
          return;
        }
        append(c.content());
        if (c instanceof LastHttpContent || (tooLarge && discarded > DISCARD_LIMIT)) {
          dispatch(ctx);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void start(ChannelHandlerContext ctx, HttpRequest r) {
    if (r.decoderResult().isFailure()) {
      refuse(r.decoderResult().cause());
      return;
    }
    String method = r.method().name();
    HttpVersion version = r.protocolVersion();
    if (!version.equals(HttpVersion.HTTP_1_1) && !version.equals(HttpVersion.HTTP_1_0)) {
      refuse(method, 505, "HTTP version " + version.text() + " is not supported: this server speaks HTTP/1.1 and HTTP/1.0");
      return;
    }
    String codingProblem = TransferCodings.problem(r.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING));
    if (codingProblem != null) {
      refuse(method, codingProblem.startsWith("chunked") ? 400 : 501, codingProblem);
      return;
    }
    request = r;
    clock.bodyStarted();
    long declared = HttpUtil.getContentLength(r, -1L);
    tooLarge = declared > maxBodyBytes;
    // Sized by the bytes that arrive, not by what the client declares: idle connections hold no large buffers.
    body = tooLarge ? null : new byte[(int) Math.min(declared >= 0 ? declared : 1024, INITIAL_BODY_BYTES)];
    size = 0;
    discarded = 0;
    if (HttpUtil.is100ContinueExpected(r)) {
      if (tooLarge) {
        dispatch(ctx); // answered 413 before the client sends the body; the connection then closes
      } else if (!busy) {
        // (behind a pipelined request still being answered, no interim answer may jump ahead: the client sends the
        // body after its own short wait instead)
        ctx.writeAndFlush(Unpooled.wrappedBuffer(HttpAnswer.CONTINUE));
      }
    }
  }

  private void append(ByteBuf content) {
    int n = content.readableBytes();
    if (!tooLarge && (long) size + n > maxBodyBytes) {
      tooLarge = true;
      body = null;
    }
    if (tooLarge) {
      discarded += n;
      return;
    }
    if (size + n > body.length) {
      body = Arrays.copyOf(body, (int) Math.min(maxBodyBytes, Math.max(size + n, 2L * body.length)));
    }
    content.readBytes(body, size, n);
    size += n;
  }

  private void dispatch(ChannelHandlerContext ctx) {
    HttpRequest r = request;
    request = null;
    clock.requestArrived();
    String method = r.method().name();
    String uri = r.uri();
    int pathEnd = pathEnd(uri);
    String path;
    if (uri.lastIndexOf('%', pathEnd - 1) < 0) {
      path = uri.substring(0, pathEnd); // nothing to decode: what the decoder would answer, without its work
    } else if (uri.substring(0, pathEnd).toLowerCase(java.util.Locale.ROOT).contains("%2f")) {
      refuse(method, 400, "the request path has an encoded '/' (%2F); no route has one");
      return;
    } else {
      try {
        path = new QueryStringDecoder(uri).path();
      } catch (IllegalArgumentException e) {
        refuse(method, 400, "the request path is not valid percent-encoding");
        return;
      }
    }
    byte[] content = tooLarge ? new byte[0] : size == body.length ? body : Arrays.copyOf(body, size);
    body = null;
    enqueue(new HttpCall(this, ctx.channel(), method, path, content, tooLarge, HttpUtil.isKeepAlive(r), r.protocolVersion()));
  }

  /** Where the path of a request target ends: at its query or fragment, if it has one. */
  private static int pathEnd(String uri) {
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '?' || c == '#') {
        return i;
      }
    }
    return uri.length();
  }

  private void enqueue(HttpCall call) {
    if (busy) {
      waiting.add(call);
      updateReading();
    } else {
      handle(call);
    }
    clock.update(state());
  }

  private void handle(HttpCall call) {
    busy = true;
    HttpCall.Refusal refusal = call.refused();
    if (refusal != null) {
      call.respond(refusal.status(), "application/json", json(refusal.message()));
      return;
    }
    try {
      handler.accept(call);
    } catch (RuntimeException e) {
      call.respond(500, "application/json", json("internal error: " + e.getClass().getSimpleName()));
    }
  }

  /** Writes a call's answer, on the event loop, in its turn; closes after it when the call or a drain says so. */
  void write(HttpCall call, HttpAnswer response, HttpVersion version) {
    if (closed) {
      return;
    }
    boolean close = call.closesConnection() || (clock.draining() && waiting.isEmpty() && request == null && !clock.headInProgress());
    if (close) {
      closed = true;
      context.writeAndFlush(response.encode(context.alloc(), version, HttpAnswer.Connection.CLOSE)).addListener(ChannelFutureListener.CLOSE);
      waiting.clear();
      clock.update(state());
      return;
    }
    HttpAnswer.Connection connection = HttpVersion.HTTP_1_0.equals(version) ? HttpAnswer.Connection.KEEP_ALIVE : HttpAnswer.Connection.UNSAID;
    context.writeAndFlush(response.encode(context.alloc(), version, connection), context.voidPromise());
    busy = false;
    clock.answered();
    HttpCall next = waiting.poll();
    if (next != null) {
      handle(next);
    }
    updateReading();
    clock.update(state());
  }

  /** Reads while the client reads our answers and fewer than MAX_WAITING requests wait; never after a refusal. */
  private void updateReading() {
    if (context == null) {
      return;
    }
    Channel channel = context.channel();
    boolean read = !refused && !closed && waiting.size() < MAX_WAITING && channel.isWritable();
    if (read == channel.config().isAutoRead()) {
      return;
    }
    if (read && pausedForQueue) {
      clock.resumedAfterPause(); // the server kept the client waiting: its clocks start again
    }
    pausedForQueue = !read && waiting.size() >= MAX_WAITING;
    channel.config().setAutoRead(read);
  }

  private ConnectionClock.State state() {
    if (closed || refused) {
      return closed ? ConnectionClock.State.CLOSING : ConnectionClock.State.REFUSED;
    }
    if (request != null) {
      return ConnectionClock.State.BODY;
    }
    if (clock.headInProgress()) {
      return ConnectionClock.State.HEAD;
    }
    return busy || !waiting.isEmpty() ? ConnectionClock.State.ANSWERING : ConnectionClock.State.IDLE;
  }

  /** On the event loop, when the sweep found this connection past its deadline. */
  void expire() {
    ConnectionClock.State state = state();
    clock.update(state);
    if (!clock.expired(System.nanoTime())) {
      return;
    }
    switch (state) {
      case BODY -> refuse(request.method().name(), 408, "the request body did not arrive within " + clock.describe(state));
      case HEAD -> refuse("GET", 408, "the request headers did not arrive within " + clock.describe(state));
      default -> context.close(); // nothing asked (idle, or drained), or a client that does not read its last answer
    }
  }

  /** Shutdown: after what is in progress is answered, the connection closes; one with nothing in progress soon. */
  void startDraining() {
    clock.drain();
    clock.update(state());
  }

  private void refuse(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      refuse("GET", 414, "the request line is too long");
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      refuse("GET", 431, "the request headers are too large");
    } else {
      refuse("GET", 400, "malformed HTTP request");
    }
  }

  /** Queues the transport's own answer behind the requests before it; nothing after it is read, and it closes. */
  private void refuse(String method, int status, String message) {
    refused = true;
    request = null;
    body = null;
    clock.headEnded();
    updateReading();
    enqueue(HttpCall.refusal(this, context.channel(), method, status, message));
  }

  /** {"error": message}, the message escaped for JSON (it may quote what the client sent). */
  static byte[] json(String message) {
    StringBuilder out = new StringBuilder(message.length() + 16).append("{\"error\":\"");
    for (char c : message.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    updateReading();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    waiting.clear();
    closed = true;
    clock.update(ConnectionClock.State.CLOSED);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset or broken connection: nothing to answer on
  }
}
