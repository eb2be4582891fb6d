package dev.flywheel.model.serve.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The server's HTTP/1.1 listener: a few event-loop threads (no thread per connection) read requests, hand each
 * whole request to one handler as an {@link HttpCall}, and write the answers, keep-alive by default.
 */
public final class HttpTransport implements AutoCloseable {
  private static final int MAX_REQUEST_LINE = 8192;
  private static final int MAX_HEADER_BYTES = 16_384;
  private static final byte[] TOO_MANY_CONNECTIONS = json503("the server is at its limit of open connections; retry later");

  private final InetSocketAddress address;
  private final int ioThreads;
  private final int maxBodyBytes;
  private final int maxConnections;
  private final AtomicInteger connections = new AtomicInteger();
  private final Duration idleTimeout;
  private final Consumer<HttpCall> handler;
  private EventLoopGroup loops;
  private Channel listener;

  /**
   * @param ioThreads event-loop threads that read, parse and answer requests
   * @param maxBodyBytes larger bodies are discarded and the call marked {@link HttpCall#bodyTooLarge()}
   * @param maxConnections connections open at once; one more is answered 503 and closed before it is read
   * @param idleTimeout connections with nothing in progress for this long are closed
   * @param handler gets every request on its connection's event loop; it must not block
   */
  public HttpTransport(String host, int port, int ioThreads, int maxBodyBytes, int maxConnections, Duration idleTimeout,
      Consumer<HttpCall> handler) {
    this.address = new InetSocketAddress(host, port);
    this.ioThreads = ioThreads;
    this.maxBodyBytes = maxBodyBytes;
    this.maxConnections = maxConnections;
    this.idleTimeout = idleTimeout;
    this.handler = handler;
  }

  /** Binds and starts answering; returns the bound port. */
  public int start() throws IOException {
    loops = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("http", true));
    ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            connections.incrementAndGet();
            channel.closeFuture().addListener(closed -> connections.decrementAndGet());
            if (connections.get() > maxConnections) {
              channel.writeAndFlush(Unpooled.wrappedBuffer(TOO_MANY_CONNECTIONS)).addListener(ChannelFutureListener.CLOSE);
              return;
            }
            channel.pipeline()
                .addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                .addLast(new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADER_BYTES, 65_536))
                .addLast(new RequestCollector(maxBodyBytes, handler));
          }
        });
    try {
      listener = bootstrap.bind(address).sync().channel();
    } catch (Exception e) {
      loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
    }
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  private static byte[] json503(String message) {
    String body = new String(RequestCollector.json(message), StandardCharsets.US_ASCII);
    return ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
        + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
  }

  /** Stops listening and closes every connection (answers already handed to the event loops are written first). */
  @Override
  public void close() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    if (loops != null) {
      loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
