package dev.flywheel.model.serve.grpc;

import dev.flywheel.model.serve.ModelService;
import dev.flywheel.model.serve.ServerSettings;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC port of the model server (grpc-java on its own shaded Netty): {@code --io-threads} event loops, which also
 * run the calls (no executor hop: the inference path never blocks them), messages up to {@code --max-request-bytes}
 * (larger ones are refused RESOURCE_EXHAUSTED by grpc-java), connections idle for {@code --idle-timeout} closed.
 */
public final class GrpcTransport implements AutoCloseable {
  private final String host;
  private final int port;
  private final ModelService service;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private Server server;

  public GrpcTransport(String host, int port, ModelService service) {
    this.host = host;
    this.port = port;
    this.service = service;
  }

  /** Binds and starts answering; returns the bound port. */
  public int start() throws IOException {
    ServerSettings settings = service.settings();
    boolean epoll = Epoll.isAvailable();
    boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    workers = epoll ? new EpollEventLoopGroup(settings.ioThreads()) : new NioEventLoopGroup(settings.ioThreads());
    Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .channelType(channel)
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .directExecutor()
        .maxInboundMessageSize(settings.maxRequestBytes())
        .maxConnectionIdle(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .addService(new InferenceGrpcService(service))
        .build()
        .start();
    return server.getPort();
  }

  /** Stops taking calls, lets the calls in progress finish (briefly: the server drained before), then closes. */
  @Override
  public void close() {
    if (server == null) {
      return;
    }
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
