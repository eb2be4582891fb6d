package dev.flywheel.model.bench;

import dev.flywheel.model.serve.grpc.v2.InferTensorContents;
import dev.flywheel.model.serve.grpc.v2.ModelInferRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's outside reference: the machine's HTTP floor measured by tools that are not ours. nginx (its own
 * config, pid file, temp dirs and loopback port; 2 worker processes) answers the server's own answer as a fixed body;
 * wrk (one thread, a Lua script sending the same request bytes) drives nginx and {@code flywheel-model serve} (a
 * separate process, started like in a pod, with --grpc-port) in interleaved rounds. The same server is also driven
 * over REST by the Java selector load generator and over gRPC by the Java gRPC one, so REST and gRPC are compared
 * by load generators of the same kind. Loopback only, bounded in time; every process started here is stopped here.
 */
final class OutsideReference {
  private static final int[] LOADS = {1, 16, 64};
  /** Rounds of load at 64 connections each row gets before anything is measured. */
  private static final int WARM_UP_ROUNDS = 6;
  static final String PATH = "/v2/models/bench/infer";
  private static final Pattern WRK_RESULT = Pattern.compile("FLYWHEEL (\\d+) (\\d+) (\\d+) (\\d+) (\\d+)");

  private OutsideReference() {}

  static void run(Path bundle, byte[] body, float[] row, int rounds, double seconds) throws Exception {
    Path module = Path.of(System.getProperty("flywheel.module", "model-server"));
    Path nginx = tool("nginx", "/usr/sbin/nginx");
    Path wrk = tool("wrk", "/usr/bin/wrk");
    System.out.printf(Locale.ROOT, "%n== outside reference: nginx and wrk against flywheel-model serve (a separate process), %d interleaved rounds"
        + " of %d s per point, medians ==%n", rounds, wrkSeconds(seconds));
    if (nginx == null || wrk == null) {
      System.out.println("nginx or wrk is not installed, so the nginx reference and the wrk figures are left out; install them with:\n"
          + "  apt-get install -y --no-install-recommends nginx wrk   (do not start the nginx service: the benchmark runs its own)");
    }
    Path work = Files.createTempDirectory("flywheel-outside");
    int serverPort = freePort();
    int grpcPort = freePort();
    Process server = new ProcessBuilder(module.resolve("bin/flywheel-model").toString(), "serve", "--bundle", bundle.toString(), "--name", "bench",
        "--model-version", "1", "--host", "127.0.0.1", "--port", String.valueOf(serverPort), "--grpc-port", String.valueOf(grpcPort))
        .redirectErrorStream(true).redirectOutput(work.resolve("serve.log").toFile()).start();
    Process reference = null;
    try {
      byte[] answer = awaitAnswer(serverPort, body, server, work.resolve("serve.log"));
      System.out.printf(Locale.ROOT, "request %d bytes, answer %d bytes (nginx answers those bytes as its fixed body)%n", body.length, answer.length);
      int nginxPort = freePort();
      if (nginx != null && wrk != null) {
        reference = startNginx(nginx, work, nginxPort, answer);
      }
      Path script = wrkScript(work, body);
      ModelInferRequest grpcRequest = grpcRequest(row);

      Map<String, Measure> rows = new LinkedHashMap<>();
      if (reference != null) {
        rows.put("nginx, fixed body (wrk)", c -> wrk(wrk, script, nginxPort, c, seconds));
      }
      if (wrk != null) {
        rows.put("serve, REST (wrk)", c -> wrk(wrk, script, serverPort, c, seconds));
      }
      rows.put("serve, REST (Java HTTP gen)", c -> LoadGenerator.run(serverPort, PATH, body, c, wrkSeconds(seconds)));
      rows.put("serve, gRPC (Java grpc-java gen)", c -> GrpcLoadGenerator.run(grpcPort, grpcRequest, c, wrkSeconds(seconds)));

      // The JIT of the server (a fresh process) and of the Java generators needs seconds of load on each path before
      // it runs compiled: gRPC's path (HTTP/2 codec, protobuf) took 6 rounds of 3 s to settle in a probe.
      for (Measure warmUp : rows.values()) {
        for (int i = 0; i < WARM_UP_ROUNDS; i++) {
          warmUp.at(64);
        }
      }
      LoadGenerator.Result warm = rows.get("serve, REST (Java HTTP gen)").at(64);
      if (warm.failures() > 0) {
        throw new IllegalStateException("the server failed " + warm.failures() + " requests while warming up; see " + work.resolve("serve.log"));
      }
      Map<String, double[][]> medians = new LinkedHashMap<>();
      rows.keySet().forEach(k -> medians.put(k, new double[LOADS.length][]));
      for (int l = 0; l < LOADS.length; l++) {
        Map<String, List<LoadGenerator.Result>> results = new LinkedHashMap<>();
        rows.keySet().forEach(k -> results.put(k, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
          for (Map.Entry<String, Measure> row1 : rows.entrySet()) {
            LoadGenerator.Result r = row1.getValue().at(LOADS[l]);
            if (r.failures() > 0) {
              throw new IllegalStateException(row1.getKey() + ": " + r.failures() + " failed requests at " + LOADS[l] + " connections");
            }
            results.get(row1.getKey()).add(r);
          }
        }
        for (Map.Entry<String, List<LoadGenerator.Result>> entry : results.entrySet()) {
          entry.getValue().sort(Comparator.comparingDouble(LoadGenerator.Result::requestsPerSecond));
          LoadGenerator.Result median = entry.getValue().get(rounds / 2);
          medians.get(entry.getKey())[l] = new double[] {median.requestsPerSecond(), median.p50Millis(), median.p99Millis()};
          System.out.printf(Locale.ROOT, "%-34s %3d conns: %,9.0f req/s   p50 %6.3f ms   p99 %7.2f ms%n", entry.getKey(), LOADS[l],
              median.requestsPerSecond(), median.p50Millis(), median.p99Millis());
        }
      }
      printRatios(medians);
    } finally {
      stop(reference, "nginx");
      stop(server, "flywheel-model serve");
    }
  }

  /** One point: a load generator at a number of connections. */
  private interface Measure {
    LoadGenerator.Result at(int connections) throws Exception;
  }

  private static void printRatios(Map<String, double[][]> m) {
    double[][] nginx = m.get("nginx, fixed body (wrk)");
    double[][] rest = m.get("serve, REST (wrk)");
    double[][] javaRest = m.get("serve, REST (Java HTTP gen)");
    double[][] grpc = m.get("serve, gRPC (Java grpc-java gen)");
    System.out.println("\n== ratios (same run) ==");
    System.out.println("conns   serve ÷ nginx (req/s)   p99 serve ÷ nginx   p50 serve − nginx   gRPC ÷ REST (req/s, both Java generators)");
    for (int l = 0; l < LOADS.length; l++) {
      String vsNginx = nginx == null || rest == null ? String.format(Locale.ROOT, "%21s %19s %19s", "-", "-", "-")
          : String.format(Locale.ROOT, "%21.2f %19.2f %16.0f µs", rest[l][0] / nginx[l][0], rest[l][2] / nginx[l][2], (rest[l][1] - nginx[l][1]) * 1000);
      System.out.printf(Locale.ROOT, "%5d  %s   %20.2f%n", LOADS[l], vsNginx, grpc[l][0] / javaRest[l][0]);
    }
    if (nginx != null && rest != null) {
      int last = LOADS.length - 1;
      double ratio = rest[last][0] / nginx[last][0];
      double p99 = rest[last][2] / nginx[last][2];
      double p50 = (rest[0][1] - nginx[0][1]) * 1000;
      System.out.printf(Locale.ROOT, "%naims: at 64 connections serve ÷ nginx >= 0.75: %.2f (%s); serve p99 <= 2 x nginx's: %.2f x (%s);"
              + " at 1 connection serve p50 within 50 µs of nginx's: %+.0f µs (%s)%n", ratio, ratio >= 0.75 ? "met" : "not met", p99,
          p99 <= 2 ? "met" : "not met", p50, p50 <= 50 ? "met" : "not met");
    }
  }

  static Path tool(String name, String usual) {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":" + Path.of(usual).getParent()).split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static int wrkSeconds(double seconds) {
    return Math.max(1, (int) Math.round(seconds));
  }

  /** Waits until the server is ready (at most 60 s) and returns its answer to the request. */
  static byte[] awaitAnswer(int port, byte[] body, Process server, Path log) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("flywheel-model serve exited: " + Files.readString(log));
      }
      try {
        HttpResponse<Void> ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/health/ready")).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        if (ready.statusCode() == 200) {
          return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("flywheel-model serve was not ready within 60 s: " + Files.readString(log));
  }

  /** nginx in the foreground with everything of its own under work/nginx, answering the fixed body on 127.0.0.1. */
  static Process startNginx(Path nginx, Path work, int port, byte[] answer) throws Exception {
    Path home = Files.createDirectories(work.resolve("nginx"));
    String body = new String(answer, StandardCharsets.UTF_8);
    if (body.contains("'") || body.contains("\\")) {
      throw new IllegalStateException("the answer cannot be quoted in nginx's config: " + body);
    }
    String conf = """
        worker_processes 2;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 1024; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          keepalive_requests 10000000;
          keepalive_timeout 120s;
          server {
            listen 127.0.0.1:%2$d;
            location / {
              default_type application/json;
              return 200 '%3$s';
            }
          }
        }
        """.formatted(home, port, body);
    Path file = home.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process process = new ProcessBuilder(nginx.toString(), "-p", home.toString(), "-e", home.resolve("error.log").toString(), "-c", file.toString())
        .redirectErrorStream(true).redirectOutput(home.resolve("stdout.log").toFile()).start();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("nginx exited: " + Files.readString(home.resolve("stdout.log")) + Files.readString(home.resolve("error.log")));
      }
      try {
        byte[] got = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH)).POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        if (got.length == answer.length) {
          return process;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    process.destroy();
    throw new IllegalStateException("nginx did not answer within 10 s");
  }

  /** wrk's Lua script: the same request bytes, and one machine-readable line with the figures. */
  static Path wrkScript(Path work, byte[] body) throws IOException {
    String text = new String(body, StandardCharsets.UTF_8);
    Path script = work.resolve("request.lua");
    Files.writeString(script, """
        wrk.method = "POST"
        wrk.path = "%s"
        wrk.headers["Content-Type"] = "application/json"
        wrk.body = [==[%s]==]
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("FLYWHEEL %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
            latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
        end
        """.formatted(PATH, text));
    return script;
  }

  static LoadGenerator.Result wrk(Path wrk, Path script, int port, int connections, double seconds) throws Exception {
    Process process = new ProcessBuilder(wrk.toString(), "-t1", "-c" + connections, "-d" + wrkSeconds(seconds) + "s", "--timeout", "5s",
        "-s", script.toString(), "http://127.0.0.1:" + port + "/").redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(wrkSeconds(seconds) + 30L, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("wrk did not finish");
    }
    Matcher m = WRK_RESULT.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("wrk gave no figures: " + out);
    }
    long requests = Long.parseLong(m.group(1));
    double elapsed = Long.parseLong(m.group(2)) / 1e6;
    return new LoadGenerator.Result(connections, requests, Long.parseLong(m.group(5)), elapsed, Long.parseLong(m.group(3)) / 1e3,
        Long.parseLong(m.group(4)) / 1e3);
  }

  static ModelInferRequest grpcRequest(float[] row) {
    InferTensorContents.Builder values = InferTensorContents.newBuilder();
    for (float v : row) {
      values.addFp32Contents(v);
    }
    return ModelInferRequest.newBuilder().setModelName("bench").addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input-0")
        .setDatatype("FP32").addShape(1).addShape(row.length).setContents(values)).build();
  }

  /** SIGTERM (nginx: fast shutdown; serve: drain), then SIGKILL after 15 s. */
  static void stop(Process process, String name) throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      System.out.println(name + " did not stop within 15 s; killing it");
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
