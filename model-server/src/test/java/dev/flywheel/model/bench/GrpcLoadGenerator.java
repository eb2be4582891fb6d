package dev.flywheel.model.bench;

import dev.flywheel.model.serve.grpc.v2.GRPCInferenceServiceGrpc;
import dev.flywheel.model.serve.grpc.v2.ModelInferRequest;
import dev.flywheel.model.serve.grpc.v2.ModelInferResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop gRPC load generator for 127.0.0.1 only (grpc-java's async stub): one channel (one HTTP/2 connection)
 * per "connection", each with one ModelInfer call outstanding, the next sent from the answer's callback, for a fixed
 * time. One event-loop thread drives every channel, like wrk -t1. Bounded in time and connections.
 */
final class GrpcLoadGenerator {
  private GrpcLoadGenerator() {}

  static LoadGenerator.Result run(int port, ModelInferRequest request, int connections, double seconds) throws InterruptedException {
    if (connections < 1 || connections > 256 || seconds <= 0 || seconds > 60) {
      throw new IllegalArgumentException("load is bounded: 1-256 connections, at most 60 s");
    }
    NioEventLoopGroup loop = new NioEventLoopGroup(1);
    List<ManagedChannel> channels = new ArrayList<>();
    long[][] latencies = new long[connections][];
    int[] counts = new int[connections];
    AtomicLong failures = new AtomicLong();
    try {
      for (int c = 0; c < connections; c++) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().eventLoopGroup(loop)
            .channelType(NioSocketChannel.class).directExecutor().build();
        channels.add(channel);
        GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request); // connected before the clock starts
        latencies[c] = new long[1 << 16];
      }
      CountDownLatch done = new CountDownLatch(connections);
      long started = System.nanoTime();
      long deadline = started + (long) (seconds * 1e9);
      for (int c = 0; c < connections; c++) {
        int index = c;
        GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub = GRPCInferenceServiceGrpc.newStub(channels.get(c));
        new Object() {
          void send() {
            long sentAt = System.nanoTime();
            stub.modelInfer(request, new StreamObserver<>() {
              @Override
              public void onNext(ModelInferResponse value) {}

              @Override
              public void onError(Throwable t) {
                failures.incrementAndGet();
                next(sentAt);
              }

              @Override
              public void onCompleted() {
                if (counts[index] == latencies[index].length) {
                  latencies[index] = Arrays.copyOf(latencies[index], latencies[index].length * 2);
                }
                latencies[index][counts[index]++] = System.nanoTime() - sentAt;
                next(sentAt);
              }
            });
          }

          void next(long sentAt) {
            if (System.nanoTime() < deadline) {
              send();
            } else {
              done.countDown();
            }
          }
        }.send();
      }
      if (!done.await((long) (seconds * 1e9) + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException("gRPC load did not finish");
      }
      double elapsed = (System.nanoTime() - started) / 1e9;
      int total = Arrays.stream(counts).sum();
      long[] all = new long[total];
      int at = 0;
      for (int c = 0; c < connections; c++) {
        System.arraycopy(latencies[c], 0, all, at, counts[c]);
        at += counts[c];
      }
      Arrays.sort(all);
      double p50 = total == 0 ? Double.NaN : all[(int) (total * 0.50)] / 1e6;
      double p99 = total == 0 ? Double.NaN : all[Math.min(total - 1, (int) (total * 0.99))] / 1e6;
      return new LoadGenerator.Result(connections, total, failures.get(), elapsed, p50, p99);
    } finally {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      for (ManagedChannel channel : channels) {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      }
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }
}
