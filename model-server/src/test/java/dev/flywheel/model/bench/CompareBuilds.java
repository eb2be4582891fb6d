package dev.flywheel.model.bench;

import dev.flywheel.model.data.Task;
import dev.flywheel.model.serve.grpc.v2.ModelInferRequest;
import dev.flywheel.model.train.TrainingOptions;
import dev.flywheel.model.train.TrainingRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A/B of two builds of the model server (`bin/benchmark --compare <other model-server dir> [seconds] [rounds] [grpc]`):
 * the small reference model served by this module's `bin/flywheel-model serve` (A) and by the other directory's (B,
 * e.g. a copy of an older build: `bin/flywheel-model` + `target/flywheel-model-server.jar` + `target/lib/`), both
 * separate processes with their defaults, plus nginx answering the same bytes as the machine's floor, all driven by
 * wrk in interleaved rounds (nginx, A, B back to back, at each load), medians. JAVA_OPTS_A and JAVA_OPTS_B, when set,
 * become each server's JAVA_OPTS (to compare JVM flags with one build); SERVE_ARGS_A and SERVE_ARGS_B add serve flags. With grpc, also A and B over gRPC (the Java
 * grpc-java generator) at 16 connections. Prints the machine's load average before and after, since the cores are
 * shared. Loopback only, bounded in time; every process started here is stopped here.
 */
final class CompareBuilds {
  private static final int[] LOADS = {1, 64};
  private static final int GRPC_CONNECTIONS = 16;
  private static final int WARM_UP_ROUNDS = 6;

  private CompareBuilds() {}

  public static void main(String[] args) throws Exception {
    Path a = Path.of(System.getProperty("flywheel.module", "model-server"));
    Path b = Path.of(args[0]).toAbsolutePath();
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    boolean grpc = args.length > 3 && Boolean.parseBoolean(args[3]);
    Path wrk = OutsideReference.tool("wrk", "/usr/bin/wrk");
    Path nginx = OutsideReference.tool("nginx", "/usr/sbin/nginx");
    if (wrk == null || nginx == null) {
      System.out.println("--compare needs nginx and wrk: apt-get install -y --no-install-recommends nginx wrk (do not start the nginx service)");
      return;
    }
    System.out.println("load average before: " + loadAverage());
    Path work = Files.createTempDirectory("flywheel-compare");
    Path csv = ServingBenchmark.numericFeatures(work, 8, 2000);
    TrainingRun.run(csv, "y", null, Task.binaryClassification, new TrainingOptions(List.of(32, 16), 5, 32, 0.01, 1, 0.2), work.resolve("bundle"));
    float[] row = ServingBenchmark.row(8);
    byte[] body = ServingBenchmark.request(row);

    List<Process> started = new ArrayList<>();
    try {
      Server serverA = Server.start(a, System.getenv("JAVA_OPTS_A"), System.getenv("SERVE_ARGS_A"), work.resolve("bundle"), work.resolve("a.log"), started);
      Server serverB = Server.start(b, System.getenv("JAVA_OPTS_B"), System.getenv("SERVE_ARGS_B"), work.resolve("bundle"), work.resolve("b.log"), started);
      byte[] answerA = OutsideReference.awaitAnswer(serverA.port, body, serverA.process, work.resolve("a.log"));
      byte[] answerB = OutsideReference.awaitAnswer(serverB.port, body, serverB.process, work.resolve("b.log"));
      System.out.printf(Locale.ROOT, "A = %s (JAVA_OPTS %s, serve flags %s)%nB = %s (JAVA_OPTS %s, serve flags %s)%nanswers: A %d bytes, B %d bytes%s%n", a,
          System.getenv("JAVA_OPTS_A"), System.getenv("SERVE_ARGS_A"), b, System.getenv("JAVA_OPTS_B"), System.getenv("SERVE_ARGS_B"), answerA.length, answerB.length,
          withoutId(answerA).equals(withoutId(answerB)) ? " (the same but for the id)" : " (DIFFERENT)");
      int nginxPort = OutsideReference.freePort();
      started.add(OutsideReference.startNginx(nginx, work, nginxPort, answerA));
      Path script = OutsideReference.wrkScript(work, body);

      Map<String, Measure> rows = new LinkedHashMap<>();
      rows.put("nginx", c -> OutsideReference.wrk(wrk, script, nginxPort, c, seconds));
      rows.put("A (this build)", c -> withCpu(serverA.process, () -> OutsideReference.wrk(wrk, script, serverA.port, c, seconds)));
      rows.put("B (other)", c -> withCpu(serverB.process, () -> OutsideReference.wrk(wrk, script, serverB.port, c, seconds)));
      Map<String, Measure> grpcRows = new LinkedHashMap<>();
      if (grpc) {
        ModelInferRequest request = OutsideReference.grpcRequest(row);
        grpcRows.put("A gRPC", c -> withCpu(serverA.process, () -> GrpcLoadGenerator.run(serverA.grpcPort, request, c,
            OutsideReference.wrkSeconds(seconds))));
        grpcRows.put("B gRPC", c -> withCpu(serverB.process, () -> GrpcLoadGenerator.run(serverB.grpcPort, request, c,
            OutsideReference.wrkSeconds(seconds))));
        grpcRows.put("A REST (Java gen)", c -> LoadGenerator.run(serverA.port, OutsideReference.PATH, body, c, OutsideReference.wrkSeconds(seconds)));
        grpcRows.put("B REST (Java gen)", c -> LoadGenerator.run(serverB.port, OutsideReference.PATH, body, c, OutsideReference.wrkSeconds(seconds)));
      }
      for (int i = 0; i < WARM_UP_ROUNDS; i++) {
        for (Measure m : rows.values()) {
          m.at(64);
        }
        for (Measure m : grpcRows.values()) {
          m.at(GRPC_CONNECTIONS);
        }
      }
      System.out.printf(Locale.ROOT, "%d interleaved rounds of %.0f s per point, medians (by req/s)%n", rounds, seconds);
      Map<String, LoadGenerator.Result[]> medians = new LinkedHashMap<>();
      for (int l = 0; l < LOADS.length; l++) {
        measure(rows, LOADS[l], rounds, medians, l, LOADS.length);
      }
      if (grpc) {
        measure(grpcRows, GRPC_CONNECTIONS, rounds, medians, 0, 1);
      }
      System.out.println("\nconns   A ÷ nginx   B ÷ nginx   A ÷ B (req/s)   p99 A ÷ nginx   p99 B ÷ nginx   p50 A − nginx   p50 B − nginx");
      LoadGenerator.Result[] n = medians.get("nginx");
      LoadGenerator.Result[] ra = medians.get("A (this build)");
      LoadGenerator.Result[] rb = medians.get("B (other)");
      for (int l = 0; l < LOADS.length; l++) {
        System.out.printf(Locale.ROOT, "%5d %11.2f %11.2f %15.2f %15.2f %15.2f %12.0f µs %12.0f µs%n", LOADS[l],
            ra[l].requestsPerSecond() / n[l].requestsPerSecond(), rb[l].requestsPerSecond() / n[l].requestsPerSecond(),
            ra[l].requestsPerSecond() / rb[l].requestsPerSecond(), ra[l].p99Millis() / n[l].p99Millis(), rb[l].p99Millis() / n[l].p99Millis(),
            (ra[l].p50Millis() - n[l].p50Millis()) * 1000, (rb[l].p50Millis() - n[l].p50Millis()) * 1000);
      }
      for (int l = 0; l < LOADS.length; l++) {
        System.out.printf(Locale.ROOT, "server CPU per request at %d conns: A %.1f µs, B %.1f µs, A ÷ B %.2f%n", LOADS[l],
            cpuMedians.get("A (this build)")[l], cpuMedians.get("B (other)")[l], cpuMedians.get("A (this build)")[l] / cpuMedians.get("B (other)")[l]);
      }
      if (grpc) {
        System.out.printf(Locale.ROOT, "gRPC ÷ REST (Java generators, %d conns): A %.2f, B %.2f; gRPC A ÷ B %.2f%n", GRPC_CONNECTIONS,
            medians.get("A gRPC")[0].requestsPerSecond() / medians.get("A REST (Java gen)")[0].requestsPerSecond(),
            medians.get("B gRPC")[0].requestsPerSecond() / medians.get("B REST (Java gen)")[0].requestsPerSecond(),
            medians.get("A gRPC")[0].requestsPerSecond() / medians.get("B gRPC")[0].requestsPerSecond());
        System.out.printf(Locale.ROOT, "server CPU per gRPC request: A %.1f µs, B %.1f µs%n", cpuMedians.get("A gRPC")[0], cpuMedians.get("B gRPC")[0]);
      }
      System.out.println("load average after: " + loadAverage());
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        OutsideReference.stop(started.get(i), "process " + started.get(i).pid());
      }
    }
  }

  private static void measure(Map<String, Measure> rows, int connections, int rounds, Map<String, LoadGenerator.Result[]> medians, int slot, int slots)
      throws Exception {
    Map<String, List<LoadGenerator.Result>> results = new LinkedHashMap<>();
    rows.keySet().forEach(k -> results.put(k, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, Measure> entry : rows.entrySet()) {
        LoadGenerator.Result r = entry.getValue().at(connections);
        if (r.failures() > 0) {
          throw new IllegalStateException(entry.getKey() + ": " + r.failures() + " failed requests at " + connections + " connections");
        }
        results.get(entry.getKey()).add(r);
      }
    }
    for (Map.Entry<String, List<LoadGenerator.Result>> entry : results.entrySet()) {
      List<LoadGenerator.Result> all = entry.getValue();
      double[] cpu = all.stream().mapToDouble(r -> CPU_PER_REQUEST.getOrDefault(r, Double.NaN)).sorted().toArray();
      all.sort(Comparator.comparingDouble(LoadGenerator.Result::requestsPerSecond));
      LoadGenerator.Result median = all.get(rounds / 2);
      medians.computeIfAbsent(entry.getKey(), k -> new LoadGenerator.Result[slots])[slot] = median;
      cpuMedians.computeIfAbsent(entry.getKey(), k -> new double[slots])[slot] = cpu[rounds / 2];
      StringBuilder each = new StringBuilder();
      all.forEach(r -> each.append(String.format(Locale.ROOT, " %.1fk", r.requestsPerSecond() / 1000)));
      System.out.printf(Locale.ROOT, "%-18s %3d conns: %,9.0f req/s   p50 %6.3f ms   p99 %7.2f ms   server CPU %s µs/req   (rounds:%s)%n",
          entry.getKey(), connections, median.requestsPerSecond(), median.p50Millis(), median.p99Millis(),
          Double.isNaN(cpu[rounds / 2]) ? "-" : String.format(Locale.ROOT, "%.1f", cpu[rounds / 2]), each);
    }
  }

  /** The server's CPU time (user + system, all its threads) per request of a measured point, by its result. */
  private static final Map<LoadGenerator.Result, Double> CPU_PER_REQUEST = new java.util.IdentityHashMap<>();
  private static final Map<String, double[]> cpuMedians = new LinkedHashMap<>();
  private static final double CLOCK_TICK_MICROS = 10_000; // USER_HZ is 100 on Linux

  /**
   * Runs a point and notes the server's CPU per request: the measure the shared cores disturb least (a busy machine
   * lowers a server's rate, but not much the CPU it spends on each request).
   */
  private static LoadGenerator.Result withCpu(Process server, Measure.Run run) throws Exception {
    long before = cpuTicks(server);
    LoadGenerator.Result result = run.run();
    long after = cpuTicks(server);
    CPU_PER_REQUEST.put(result, result.requests() == 0 ? Double.NaN : (after - before) * CLOCK_TICK_MICROS / result.requests());
    return result;
  }

  /** utime + stime of a process, in clock ticks (/proc/pid/stat fields 14 and 15). */
  private static long cpuTicks(Process process) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** One point: a load generator at a number of connections. */
  private interface Measure {
    LoadGenerator.Result at(int connections) throws Exception;

    /** A point already bound to its connections. */
    interface Run {
      LoadGenerator.Result run() throws Exception;
    }
  }

  /** A server process of one build, on its own loopback ports. */
  private record Server(Process process, int port, int grpcPort) {
    static Server start(Path module, String javaOpts, String serveArgs, Path bundle, Path log, List<Process> started) throws Exception {
      int port = OutsideReference.freePort();
      int grpcPort = OutsideReference.freePort();
      List<String> command = new ArrayList<>(List.of(module.resolve("bin/flywheel-model").toString(), "serve", "--bundle", bundle.toString(),
          "--name", "bench", "--model-version", "1", "--host", "127.0.0.1", "--port", String.valueOf(port), "--grpc-port",
          String.valueOf(grpcPort)));
      if (serveArgs != null && !serveArgs.isBlank()) {
        command.addAll(List.of(serveArgs.trim().split("\\s+")));
      }
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      if (javaOpts != null) {
        builder.environment().put("JAVA_OPTS", javaOpts);
      }
      Process process = builder.start();
      started.add(process);
      return new Server(process, port, grpcPort);
    }
  }

  private static String withoutId(byte[] answer) {
    return new String(answer, StandardCharsets.UTF_8).replaceFirst("\"id\":\"[^\"]*\"", "");
  }

  private static String loadAverage() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).trim();
  }
}
