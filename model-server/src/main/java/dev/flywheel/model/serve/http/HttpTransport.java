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
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The server's HTTP/1.1 listener: a few event-loop threads (no thread per connection) read requests, hand each
 * whole request to one handler as an {@link HttpCall}, and write the answers, keep-alive by default. One sweep
 * thread closes connections past their deadline (a request too slow to arrive, an idle connection), and
 * {@link #close()} drains: it keeps serving through the drain grace, then answers what is in progress and closes.
 */
public final class HttpTransport implements AutoCloseable {
  private static final int MAX_REQUEST_LINE = 8192;
  private static final int MAX_HEADER_BYTES = 16_384;
  private static final byte[] TOO_MANY_CONNECTIONS = json503("the server is at its limit of open connections; retry later");

  private final TransportSettings settings;
  private final Consumer<HttpCall> handler;
  private final AtomicInteger connections = new AtomicInteger();
  private final Set<RequestCollector> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean draining;
  private EventLoopGroup loops;
  private ScheduledExecutorService sweeper;
  private Channel listener;

  /** @param handler gets every request on its connection's event loop; it must not block */
  public HttpTransport(TransportSettings settings, Consumer<HttpCall> handler) {
    this.settings = settings;
    this.handler = handler;
  }

  /** Binds and starts answering; returns the bound port. */
  public int start() throws IOException {
    loops = new NioEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("http", true));
    ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            connections.incrementAndGet();
            channel.closeFuture().addListener(closed -> connections.decrementAndGet());
            if (connections.get() > settings.maxConnections()) {
              channel.writeAndFlush(Unpooled.wrappedBuffer(TOO_MANY_CONNECTIONS)).addListener(ChannelFutureListener.CLOSE);
              return;
            }
            RequestCollector collector = new RequestCollector(settings, handler);
            channel.pipeline()
                .addLast(new RequestDecoder(MAX_REQUEST_LINE, MAX_HEADER_BYTES, collector::requestStarted))
                .addLast(collector);
            open.add(collector);
            channel.closeFuture().addListener(closed -> open.remove(collector));
            if (draining) {
              collector.startDraining();
            }
          }
        });
    try {
      listener = bootstrap.bind(new InetSocketAddress(settings.host(), settings.port())).sync().channel();
    } catch (Exception e) {
      loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException("cannot listen on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(), e);
    }
    long period = sweepPeriod().toNanos();
    sweeper = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("http-deadlines", true));
    sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.NANOSECONDS);
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** A quarter of the shortest timeout, between 5 ms and 250 ms: deadlines are kept to within that. */
  private Duration sweepPeriod() {
    Duration shortest = ConnectionClock.QUIET;
    for (Duration d : new Duration[] {settings.headerTimeout(), settings.bodyTimeout(), settings.idleTimeout()}) {
      shortest = d.compareTo(shortest) < 0 ? d : shortest;
    }
    long millis = Math.max(5, Math.min(250, shortest.toMillis() / 4));
    return Duration.ofMillis(millis);
  }

  private void sweep() {
    long now = System.nanoTime();
    for (RequestCollector connection : open) {
      if (connection.clock.expired(now)) {
        connection.channel().eventLoop().execute(connection::expire);
      }
    }
  }

  /** Connections open now (those being refused for the limit included). */
  public int openConnections() {
    return connections.get();
  }

  private static byte[] json503(String message) {
    String body = new String(RequestCollector.json(message), StandardCharsets.US_ASCII);
    return ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
        + "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Drains and stops: for the drain grace everything goes on as before (new connections too); then the listener
   * closes, every request already received or arriving is answered — each connection closes after its last answer,
   * one with nothing in progress within {@link ConnectionClock#QUIET} — and after the finish grace whatever is
   * still open is closed. Returns once the event loops have stopped.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    if (listener != null) {
      pause(settings.drainGrace().toNanos());
      listener.close().syncUninterruptibly();
      draining = true;
      for (RequestCollector connection : open) {
        connection.channel().eventLoop().execute(connection::startDraining);
      }
      long deadline = System.nanoTime() + settings.finishGrace().toNanos();
      while (connections.get() > 0 && System.nanoTime() - deadline < 0 && pause(TimeUnit.MILLISECONDS.toNanos(10))) {
        // answering what is in progress
      }
    }
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    if (loops != null) {
      loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Sleeps; false when interrupted (then the drain is cut short). */
  private static boolean pause(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
