package dev.flywheel.model.serve.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.x answer, written straight into one buffer: status line, headers and body, the bytes Netty's response
 * encoder wrote (lower-case standard header names, headers in the order given), without a header map per answer.
 *
 * @param content the body, or null for a HEAD answer (then only the headers, with the length the body would have)
 * @param extraHeaders name, value, name, value…
 */
record HttpAnswer(int status, String contentType, byte[] content, int length, String[] extraHeaders) {
  private static final byte[] CONTENT_TYPE = ascii("content-type: ");
  private static final byte[] CONTENT_LENGTH = ascii("\r\ncontent-length: ");
  private static final byte[] CLOSE = ascii("\r\nconnection: close");
  private static final byte[] KEEP_ALIVE = ascii("\r\nconnection: keep-alive");
  private static final byte[] END = ascii("\r\n\r\n");
  /** "HTTP/1.1 100 Continue", the interim answer to Expect: 100-continue. */
  static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");
  private static final byte[][] STATUS_LINES_11 = statusLines(HttpVersion.HTTP_1_1);
  private static final byte[][] STATUS_LINES_10 = statusLines(HttpVersion.HTTP_1_0);

  /** What the answer says about the connection. */
  enum Connection { UNSAID, CLOSE, KEEP_ALIVE }

  /** The whole answer in one buffer from the allocator (pooled: no copy on the way to the socket). */
  ByteBuf encode(ByteBufAllocator allocator, HttpVersion version, Connection connection) {
    byte[] statusLine = statusLine(version, status);
    byte[] type = ascii(contentType);
    int bodyBytes = content == null ? 0 : length;
    int size = statusLine.length + CONTENT_TYPE.length + type.length + CONTENT_LENGTH.length + 10 + KEEP_ALIVE.length
        + END.length + bodyBytes;
    byte[][] extras = new byte[extraHeaders.length][];
    for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
      extras[i] = ascii(extraHeaders[i]);
      extras[i + 1] = ascii(extraHeaders[i + 1]);
      size += extras[i].length + extras[i + 1].length + 4;
    }
    ByteBuf out = allocator.buffer(size);
    out.writeBytes(statusLine).writeBytes(CONTENT_TYPE).writeBytes(type).writeBytes(CONTENT_LENGTH);
    writeDecimal(out, length);
    for (int i = 0; i + 1 < extras.length; i += 2) {
      out.writeByte('\r').writeByte('\n').writeBytes(extras[i]).writeByte(':').writeByte(' ').writeBytes(extras[i + 1]);
    }
    if (connection == Connection.CLOSE) {
      out.writeBytes(CLOSE);
    } else if (connection == Connection.KEEP_ALIVE) {
      out.writeBytes(KEEP_ALIVE);
    }
    out.writeBytes(END);
    if (content != null) {
      out.writeBytes(content, 0, length);
    }
    return out;
  }

  /** "HTTP/1.1 200 OK\r\n" for every status from 100 to 599, made once (at class initialisation: safely shared). */
  private static byte[][] statusLines(HttpVersion version) {
    byte[][] lines = new byte[600][];
    for (int status = 100; status < lines.length; status++) {
      lines[status] = statusLine(version.text(), status);
    }
    return lines;
  }

  private static byte[] statusLine(HttpVersion version, int status) {
    byte[][] lines = HttpVersion.HTTP_1_0.equals(version) ? STATUS_LINES_10 : STATUS_LINES_11; // ("http/1.0" is another object)
    return status >= 100 && status < lines.length ? lines[status] : statusLine(version.text(), status);
  }

  private static byte[] statusLine(String version, int status) {
    return ascii(version + " " + HttpResponseStatus.valueOf(status) + "\r\n");
  }

  private static void writeDecimal(ByteBuf out, int value) {
    if (value >= 10) {
      writeDecimal(out, value / 10);
    }
    out.writeByte('0' + value % 10);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
