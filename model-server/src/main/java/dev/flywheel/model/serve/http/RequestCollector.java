package dev.flywheel.model.serve.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One per connection, on its event loop: gathers each request's body (up to the limit; a larger body is read and
 * dropped, at most 16 MiB of it, so the client is still reading when the 413 comes) and hands whole requests to the
 * handler one at a time, so pipelined requests are answered in order. HTTP the decoder cannot read is answered here.
 */
final class RequestCollector extends ChannelInboundHandlerAdapter {
  private static final long DISCARD_LIMIT = 16L << 20;
  private static final int MAX_WAITING = 16;
  private static final int INITIAL_BODY_BYTES = 16_384;

  private final int maxBodyBytes;
  private final Consumer<HttpCall> handler;
  private final ArrayDeque<HttpCall> waiting = new ArrayDeque<>();
  private HttpRequest request;
  private byte[] body;
  private int size;
  private boolean tooLarge;
  private long discarded;
  private boolean busy;
  private ChannelHandlerContext context;

  RequestCollector(int maxBodyBytes, Consumer<HttpCall> handler) {
    this.maxBodyBytes = maxBodyBytes;
    this.handler = handler;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpRequest r) {
        start(ctx, r);
      }
      if (msg instanceof HttpContent c && request != null) {
        if (c.decoderResult().isFailure()) {
          refuse(ctx, c.decoderResult().cause());
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
      refuse(ctx, r.decoderResult().cause());
      return;
    }
    request = r;
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
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
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
    String path;
    try {
      path = new QueryStringDecoder(r.uri()).path();
    } catch (IllegalArgumentException e) {
      answer(ctx, HttpResponseStatus.BAD_REQUEST, "the request path is not valid percent-encoding");
      return;
    }
    byte[] content = tooLarge ? new byte[0] : size == body.length ? body : Arrays.copyOf(body, size);
    body = null;
    HttpCall call = new HttpCall(ctx.channel(), r.method().name(), path, content, tooLarge, HttpUtil.isKeepAlive(r),
        r.protocolVersion(), this::answered);
    if (busy) {
      waiting.add(call);
      if (waiting.size() >= MAX_WAITING) {
        ctx.channel().config().setAutoRead(false);
      }
    } else {
      handle(call);
    }
  }

  private void handle(HttpCall call) {
    busy = true;
    try {
      handler.accept(call);
    } catch (RuntimeException e) {
      call.respond(500, "application/json", json("internal error: " + e.getClass().getSimpleName()));
    }
  }

  /** Runs on the event loop once a call's answer is written: the next pipelined request may go. */
  private void answered() {
    busy = false;
    HttpCall next = waiting.poll();
    if (next != null) {
      handle(next);
    }
    if (waiting.size() < MAX_WAITING && !context.channel().config().isAutoRead()) {
      context.channel().config().setAutoRead(true);
    }
  }

  private void refuse(ChannelHandlerContext ctx, Throwable cause) {
    request = null;
    if (cause instanceof TooLongHttpLineException) {
      answer(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is too long");
    } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
      answer(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are too large");
    } else {
      answer(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
    }
  }

  /** Answers what the decoder could not read, and closes: the rest of the stream cannot be trusted. */
  private static void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(json(message)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** {"error": message} for the transport's own fixed messages (no quotes or backslashes in them). */
  static byte[] json(String message) {
    return ("{\"error\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent && !busy && request == null) {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    waiting.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close(); // a reset or broken connection: nothing to answer on
  }
}
