package dev.flywheel.model.bench;

import dev.flywheel.model.bundle.ModelBundle;
import dev.flywheel.model.data.Task;
import dev.flywheel.model.serve.ModelServer;
import dev.flywheel.model.serve.ServerSettings;
import dev.flywheel.model.testdata.SyntheticData;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The model server's benchmark (model-server/bin/benchmark [seconds per point] [max batch delay in ms] [shapes, e.g.
 * 1,3] [rounds]), for three model shapes; for the small reference model also against nginx, with wrk, and over gRPC
 * ({@link OutsideReference}). Everything is measured in one run on this machine and reported as ratios against
 * baselines of the same run: in-process predictions per second per engine; then HTTP single-row requests on 127.0.0.1 at 1, 16 and 64
 * connections against (a) the same server answering a constant without the model on its I/O threads, (b) the model
 * with dynamic batching, (c) the model with batching off (one inference thread per core), (d) the model run on the
 * I/O threads. Batching cannot beat (a), so (a) ÷ the better of (c) and (d) is the most batching could give.
 */
public final class ServingBenchmark {
  private static final int[] LOADS = {1, 16, 64};
  private static final double WARM_UP_SECONDS = 6;

  /**
   * A model shape to measure: the small reference MLP of STACK.md, a production-size tabular one, and a wide one whose
   * inference costs more than the HTTP work around it (where batching can pay).
   */
  private record Shape(int features, List<Integer> hidden) {
    String label() {
      return features + " features -> " + hidden.stream().map(String::valueOf).reduce((a, b) -> a + " -> " + b).orElse("") + " -> 1";
    }
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
    Duration delay = Duration.ofNanos((long) ((args.length > 1 ? Double.parseDouble(args[1]) : 2) * 1e6));
    System.out.printf(Locale.ROOT, "%d cores, Java %s; the load generator shares them with the server%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    List<Shape> shapes = List.of(new Shape(8, List.of(32, 16)), new Shape(32, List.of(256, 128)), new Shape(64, List.of(1024, 512)));
    String only = args.length > 2 ? args[2] : "1,2,3";
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    for (String n : only.split(",")) {
      run(shapes.get(Integer.parseInt(n.trim()) - 1), seconds, delay, rounds, n.trim().equals("1"));
    }
  }

  /** @param outside also measure against nginx and with wrk and gRPC ({@link OutsideReference}; the small reference model) */
  private static void run(Shape shape, double seconds, Duration delay, int rounds, boolean outside) throws Exception {
    Path dir = Files.createTempDirectory("flywheel-bench");
    Path csv = numericFeatures(dir, shape.features(), 2000);
    TrainingRun.run(csv, "y", null, Task.binaryClassification, new TrainingOptions(shape.hidden(), 5, 32, 0.01, 1, 0.2), dir.resolve("bundle"));
    System.out.printf(Locale.ROOT, "%n######## model: %s (binary) ########%n", shape.label());

    System.out.println("\n== in-process predictions per second (2 s each) ==");
    String servingEngine = "OnnxRuntime";
    double best = 0;
    for (String engine : List.of("PyTorch", "OnnxRuntime")) {
      try (ModelBundle bundle = ModelBundle.open(dir.resolve("bundle"), null, engine)) {
        float[][] one = {bundle.pipeline().encode(bundle.pipeline().typicalRow())};
        float[][] batch = new float[64][];
        java.util.Arrays.fill(batch, one[0]);
        double single = rate(() -> bundle.score(one), 1);
        double batched = rate(() -> bundle.score(batch), 64);
        System.out.printf(Locale.ROOT, "%-12s single row: %,10.0f rows/s   batch of 64: %,12.0f rows/s (%.1fx)%n", engine, single, batched, batched / single);
        if (single > best) {
          best = single;
          servingEngine = engine;
        }
      }
    }
    System.out.println("faster single-row engine (served below, and chosen by --engine auto when the bundle has its weights): " + servingEngine);

    float[] row = row(shape.features());
    byte[] body = request(row);
    System.out.printf(Locale.ROOT, "%n== HTTP, one-row requests on 127.0.0.1: %d interleaved rounds of %.0f s per point, medians ==%n", rounds, seconds);
    String[] labels = {"no model (constant)", "model, batching 64/" + delay.toNanos() / 1e6 + "ms", "model, batching off",
        "model on the I/O threads"};
    double[][] rps = new double[labels.length][LOADS.length];
    try (ModelBundle bundle = ModelBundle.open(dir.resolve("bundle"), null, servingEngine)) {
      float[] constant = {0.5f};
      UnaryOperator<float[][]> noModel = rows -> {
        float[][] scores = new float[rows.length][];
        java.util.Arrays.fill(scores, constant);
        return scores;
      };
      ServerSettings base = ServerSettings.defaults("127.0.0.1", 0, "bench", "1");
      ServerSettings onIoThreads = base.withBatching(1, delay).withThreads(ServerSettings.CORES, 0);
      List<ModelServer> servers = List.of(server(bundle, noModel, onIoThreads), server(bundle, bundle::score, base.withBatching(64, delay)),
          server(bundle, bundle::score, base.withBatching(1, delay)), server(bundle, bundle::score, onIoThreads));
      try {
        int[] ports = new int[servers.size()];
        for (int i = 0; i < ports.length; i++) {
          ports[i] = servers.get(i).start();
          servers.get(i).warmUpAndMarkReady();
        }
        // The JIT needs seconds of load before a server's path runs compiled: without this the first points measure
        // the compiler, not the server (seen: 19k, 29k, 52k req/s in three rounds of the same server).
        for (int port : ports) {
          LoadGenerator.run(port, "/v2/models/bench/infer", body, LOADS[LOADS.length - 1], WARM_UP_SECONDS);
        }
        for (int l = 0; l < LOADS.length; l++) {
          List<List<LoadGenerator.Result>> results = new ArrayList<>();
          for (int i = 0; i < ports.length; i++) {
            LoadGenerator.run(ports[i], "/v2/models/bench/infer", body, LOADS[l], 1);
            results.add(new ArrayList<>());
          }
          for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < ports.length; i++) {
              LoadGenerator.Result r = LoadGenerator.run(ports[i], "/v2/models/bench/infer", body, LOADS[l], seconds);
              if (r.failures() > 0) {
                throw new IllegalStateException(labels[i] + ": " + r.failures() + " failed requests at " + LOADS[l] + " connections");
              }
              results.get(i).add(r);
            }
          }
          for (int i = 0; i < ports.length; i++) {
            results.get(i).sort(java.util.Comparator.comparingDouble(LoadGenerator.Result::requestsPerSecond));
            LoadGenerator.Result median = results.get(i).get(rounds / 2);
            rps[i][l] = median.requestsPerSecond();
            System.out.printf(Locale.ROOT, "%-26s %3d conns: %,9.0f req/s   p50 %6.2f ms   p99 %7.2f ms%n",
                labels[i], LOADS[l], median.requestsPerSecond(), median.p50Millis(), median.p99Millis());
          }
        }
      } finally {
        servers.forEach(ModelServer::close);
      }
    }

    System.out.println("\n== ratios (same run) ==");
    System.out.println("conns   ÷ no-model: batching   off   I/O threads   batching on ÷ off   (most batching could give: no-model ÷ off)");
    for (int l = 0; l < LOADS.length; l++) {
      System.out.printf(Locale.ROOT, "%5d  %20.2f %5.2f %13.2f %19.2f   %40.2f%n", LOADS[l], rps[1][l] / rps[0][l], rps[2][l] / rps[0][l],
          rps[3][l] / rps[0][l], rps[1][l] / Math.max(rps[2][l], rps[3][l]), rps[0][l] / Math.max(rps[2][l], rps[3][l]));
    }
    int last = LOADS.length - 1;
    double serverRatio = Math.max(rps[1][last], Math.max(rps[2][last], rps[3][last])) / rps[0][last];
    double batchRatio = rps[1][last] / Math.max(rps[2][last], rps[3][last]);
    double bound = rps[0][last] / Math.max(rps[2][last], rps[3][last]);
    System.out.printf(Locale.ROOT, "%naim at 64 connections: server >= 0.85 x no-model: %.2f (%s); batching >= 2 x off: %.2f (%s;"
            + " no batching can pass %.2f for this model: %.0f%% of that reached)%n",
        serverRatio, serverRatio >= 0.85 ? "met" : "not met", batchRatio, batchRatio >= 2 ? "met" : "not met", bound, 100 * batchRatio / bound);
    if (outside) {
      OutsideReference.run(dir.resolve("bundle"), body, row, rounds, seconds);
    }
  }

  private static ModelServer server(ModelBundle bundle, UnaryOperator<float[][]> scorer, ServerSettings settings) {
    return new ModelServer(settings, bundle.metadata(), bundle.digest(), bundle.engine(), scorer);
  }

  private static double rate(Runnable work, int rowsPerCall) {
    for (int i = 0; i < 2_000; i++) {
      work.run();
    }
    long calls = 0;
    long start = System.nanoTime();
    long end = start + 2_000_000_000L;
    while (System.nanoTime() < end) {
      work.run();
      calls++;
    }
    return calls * rowsPerCall / ((System.nanoTime() - start) / 1e9);
  }

  /** One row of feature values, rounded to 3 decimals (what the JSON request carries). */
  static float[] row(int features) {
    Random random = new Random(5);
    float[] row = new float[features];
    for (int f = 0; f < features; f++) {
      row[f] = Float.parseFloat(String.format(Locale.ROOT, "%.3f", random.nextGaussian()));
    }
    return row;
  }

  static byte[] request(float[] row) {
    StringBuilder data = new StringBuilder();
    for (int f = 0; f < row.length; f++) {
      data.append(f == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", row[f]));
    }
    return ("{\"inputs\": [{\"name\": \"input-0\", \"shape\": [1, " + row.length + "], \"datatype\": \"FP32\", \"data\": [" + data + "]}]}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static Path numericFeatures(Path dir, int features, int rows) throws Exception {
    Random random = new Random(3);
    StringBuilder csv = new StringBuilder();
    for (int f = 1; f <= features; f++) {
      csv.append('f').append(f).append(',');
    }
    csv.append("y\n");
    for (int i = 0; i < rows; i++) {
      double z = 0;
      for (int f = 0; f < features; f++) {
        double x = random.nextGaussian();
        z += (f % 2 == 0 ? 1 : -0.5) * x;
        csv.append(String.format(Locale.ROOT, "%.4f,", x));
      }
      csv.append(z + random.nextGaussian() > 0 ? "1" : "0").append('\n');
    }
    return SyntheticData.write(dir, "features.csv", csv);
  }

  private ServingBenchmark() {}
}
