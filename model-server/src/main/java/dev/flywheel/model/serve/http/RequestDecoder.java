package dev.flywheel.model.serve.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's HTTP/1.1 request decoder, telling when the first byte of each request arrives (also when it came in the
 * same read as the end of the request before it), so the header timeout starts there and not at the whole head.
 */
final class RequestDecoder extends HttpRequestDecoder {
  private final Runnable requestStarted;
  private boolean betweenRequests = true;

  RequestDecoder(int maxRequestLine, int maxHeaderBytes, Runnable requestStarted) {
    super(new HttpDecoderConfig().setMaxInitialLineLength(maxRequestLine).setMaxHeaderSize(maxHeaderBytes).setMaxChunkSize(65_536));
    this.requestStarted = requestStarted;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
    // (empty lines between requests, which some clients send after a body, start nothing)
    if (betweenRequests && buffer.forEachByte(b -> b == '\r' || b == '\n') >= 0) {
      betweenRequests = false;
      requestStarted.run();
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      if (out.get(i) instanceof LastHttpContent) {
        betweenRequests = true;
      }
    }
  }
}
