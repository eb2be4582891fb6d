package dev.flywheel.model.serve.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An answer written by hand is, byte for byte, what Netty's response encoder wrote for the same answer. */
class HttpAnswerTest {

  @ParameterizedTest
  @CsvSource({
      "200, HTTP/1.1, UNSAID, false, ''",
      "200, HTTP/1.0, KEEP_ALIVE, false, ''",
      "200, http/1.0, KEEP_ALIVE, false, ''",
      "405, HTTP/1.1, UNSAID, false, Allow",
      "413, HTTP/1.1, CLOSE, false, ''",
      "503, HTTP/1.1, CLOSE, true, Retry-After",
      "200, HTTP/1.1, UNSAID, true, ''",
      "299, HTTP/1.1, UNSAID, false, ''"})
  void theBytesAreNettysEncoders(int status, String versionText, HttpAnswer.Connection connection, boolean head, String extraHeader) {
    HttpVersion version = HttpVersion.valueOf(versionText);
    byte[] body = "{\"model_name\":\"churn\",\"outputs\":[]}".getBytes(StandardCharsets.UTF_8);
    String[] extras = extraHeader.isEmpty() ? new String[0] : new String[] {extraHeader, "POST"};
    ByteBuf ours = new HttpAnswer(status, "application/json", head ? null : body, body.length, extras)
        .encode(ByteBufAllocator.DEFAULT, version, connection);

    FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(status),
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    for (int i = 0; i < extras.length; i += 2) {
      response.headers().set(extras[i], extras[i + 1]);
    }
    if (connection == HttpAnswer.Connection.CLOSE) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (connection == HttpAnswer.Connection.KEEP_ALIVE) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    EmbeddedChannel channel = new EmbeddedChannel(new HttpResponseEncoder());
    channel.writeOutbound(response);
    ByteBuf netty = Unpooled.buffer();
    for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
      netty.writeBytes(part);
      part.release();
    }
    assertThat(new String(ByteBufUtil.getBytes(ours), StandardCharsets.ISO_8859_1))
        .isEqualTo(new String(ByteBufUtil.getBytes(netty), StandardCharsets.ISO_8859_1));
    ours.release();
    channel.finishAndReleaseAll();
  }
}
