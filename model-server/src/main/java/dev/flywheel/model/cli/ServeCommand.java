package dev.flywheel.model.cli;

import dev.flywheel.model.bundle.InvalidBundleException;
import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.BundleSource;
import dev.flywheel.model.serve.ModelServer;
import dev.flywheel.model.serve.ServerSettings;
import dev.flywheel.model.serve.capture.CaptureSettings;
import dev.flywheel.model.serve.capture.TrafficCapture;
import dev.flywheel.model.serve.http.TransportSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * flywheel-model serve: verifies and loads a bundle, then serves it over HTTP (and gRPC with --grpc-port) until SIGTERM or
 * SIGINT (drains: readiness off, serves on for the drain grace, answers what is in progress on both protocols, writes the
 * captured traffic when --capture-uri is given, then exits 0).
 */
final class ServeCommand {
  static final String USAGE = """
      flywheel-model serve --bundle <dir or s3://bucket/prefix> [--name <model>] [--model-version V] [--port 8080] [--grpc-port N] [--host 0.0.0.0]
          [--max-batch-size N] [--max-batch-delay 2ms] [--max-concurrent-requests N] [--request-timeout 10s]
          [--expected-digest sha256:…] [--engine auto|PyTorch|OnnxRuntime] [--drift-window N] [--feedback-window N]
          [--max-request-bytes N] [--max-connections N] [--io-threads N] [--inference-threads auto|N] [--idle-timeout 2m]
          [--header-timeout 10s] [--body-timeout 30s] [--drain-grace 5s]
          """ + CaptureOptions.USAGE;
  private static final Set<String> KNOWN = union(Set.of("bundle", "name", "model-version", "port", "grpc-port", "host", "max-batch-size",
      "max-batch-delay", "max-concurrent-requests", "request-timeout", "expected-digest", "engine", "drift-window",
      "feedback-window", "max-request-bytes", "max-connections", "io-threads", "inference-threads", "idle-timeout", "header-timeout",
      "body-timeout", "drain-grace"), CaptureOptions.NAMES);

  private ServeCommand() {}

  static int run(String[] args, PrintStream err) {
    ServerSettings settings;
    int grpcPort;
    Options options;
    Optional<CaptureSettings> capture;
    try {
      options = Options.parse("serve", args, KNOWN, Set.of("bundle"));
      String engine = options.get("engine", "auto");
      if (!Set.of("auto", "PyTorch", "OnnxRuntime").contains(engine)) {
        throw new UsageException("serve: --engine must be auto, PyTorch or OnnxRuntime, got " + engine);
      }
      settings = settings(options);
      grpcPort = !options.has("grpc-port") ? -1 : options.intValue("grpc-port", 0, 0, 65535);
      capture = CaptureOptions.parse(options);
    } catch (UsageException e) {
      err.println(e.getMessage() + "\n" + USAGE);
      return FlywheelModel.USAGE;
    }
    ModelBundle bundle;
    try {
      Path directory = BundleSource.fetch(options.required("bundle"), Files.createTempDirectory("flywheel-serve-"));
      bundle = ModelBundle.open(directory, options.get("expected-digest", null), options.get("engine", "auto"));
    } catch (InvalidBundleException e) {
      err.println("serve: refusing to serve: " + e.getMessage());
      return FlywheelModel.FAILED;
    } catch (Exception e) {
      err.println("serve: cannot load the bundle: " + e.getMessage());
      return FlywheelModel.FAILED;
    }
    if (settings.modelVersion() == null) {
      settings = settings.withModelVersion(bundle.digest().substring(7, 19));
    }
    TrafficCapture traffic;
    try {
      traffic = capture.isPresent() ? TrafficCapture.start(capture.get(), bundle.metadata(), err) : TrafficCapture.OFF;
    } catch (IOException | IllegalArgumentException e) {
      err.println("serve: cannot capture traffic to " + capture.get().directory() + ": " + CaptureOptions.reason(e));
      bundle.close();
      return FlywheelModel.FAILED;
    }
    ModelServer server = new ModelServer(settings, bundle.metadata(), bundle.digest(), bundle.engine(), bundle::score, traffic);
    AtomicBoolean closed = new AtomicBoolean();
    Runnable shutdown = () -> {
      if (closed.compareAndSet(false, true)) {
        server.close();
        bundle.close();
      }
    };
    StopSignal stop = StopSignal.install();
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "shutdown")); // any other way the JVM ends
    try {
      int port = server.start();
      int boundGrpcPort = grpcPort >= 0 ? server.startGrpc(grpcPort) : -1;
      server.warmUpAndMarkReady();
      err.printf("serving model %s version %s (%s, %s) on http://%s:%d%s; inference %s%n", settings.modelName(), settings.modelVersion(),
          bundle.digest(), bundle.engine(), settings.host(), port, boundGrpcPort >= 0 ? " and gRPC " + settings.host() + ":" + boundGrpcPort : "",
          server.inferencePlacement());
      capture.ifPresent(c -> err.printf("capturing labelled traffic to %s (sample rate %s, at most %d rows waiting for labels, shards of"
          + " at most %d rows or %s)%n", c.directory(), c.sampleRate(), c.maxPending(), c.maxRowsPerShard(), c.maxShardAge()));
      err.flush();
      String signal = stop.await();
      err.printf("serve: %s: readiness is off; serving on for the drain grace (%s), then answering what is in progress%n", signal,
          settings.drainGrace());
      err.flush();
      shutdown.run();
      err.println("serve: drained; exiting");
      return FlywheelModel.OK;
    } catch (Exception e) {
      err.println("serve: " + e.getMessage());
      shutdown.run();
      return FlywheelModel.FAILED;
    }
  }

  /** --inference-threads: auto (the default: chosen at warm-up) or 0 to 64. */
  private static int inferenceThreads(Options o) {
    String text = o.get("inference-threads", "auto");
    if (text.equals("auto")) {
      return ServerSettings.INFERENCE_THREADS_AUTO;
    }
    if (!text.matches("\\d{1,2}")) {
      throw new UsageException("serve: --inference-threads must be auto or a whole number from 0 to 64, got '" + text + "'");
    }
    return o.intValue("inference-threads", 0, 0, 64);
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  private static ServerSettings settings(Options o) {
    ServerSettings base = ServerSettings.defaults(o.get("host", "0.0.0.0"), o.intValue("port", 8080, 0, 65535),
        o.get("name", "model"), o.get("model-version", null));
    String name = base.modelName();
    if (!name.matches("^[a-zA-Z0-9][a-zA-Z0-9._-]{0,252}$")) {
      throw new UsageException("serve: --name must be letters, digits, '.', '_' or '-', got '" + name + "'");
    }
    int maxBatchSize = o.intValue("max-batch-size", base.maxBatchSize(), 1, 1024);
    return new ServerSettings(base.host(), base.port(), name, base.modelVersion(),
        maxBatchSize,
        o.duration("max-batch-delay", base.maxBatchDelay()),
        o.intValue("max-concurrent-requests", base.maxConcurrentRequests(), 1, 100_000),
        o.duration("request-timeout", base.requestTimeout()),
        o.intValue("max-request-bytes", base.maxRequestBytes(), 1024, 256 << 20),
        o.intValue("max-connections", base.maxConnections(), 1, 1_000_000),
        base.maxRowsPerRequest(),
        o.intValue("drift-window", base.driftWindow(), 10, 1_000_000),
        o.intValue("feedback-window", base.feedbackWindow(), 10, 1_000_000),
        o.intValue("io-threads", base.ioThreads(), 1, 64),
        inferenceThreads(o),
        o.duration("idle-timeout", base.idleTimeout()),
        base.shutdownGrace(),
        positive(o, "header-timeout", base.headerTimeout()),
        positive(o, "body-timeout", base.bodyTimeout()),
        o.duration("drain-grace", TransportSettings.DEFAULT_DRAIN_GRACE));
  }

  private static java.time.Duration positive(Options o, String name, java.time.Duration fallback) {
    java.time.Duration d = o.duration(name, fallback);
    if (d.isZero() || d.isNegative()) {
      throw new UsageException("serve: --" + name + " must be more than 0, got " + d);
    }
    return d;
  }
}
