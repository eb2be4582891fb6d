package dev.flywheel.sandbox.bench;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.sandbox.SandboxEnvironment;
import dev.flywheel.sandbox.story.ChurnData;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The operator's scale benchmark on the sandbox's in-process API: N ModelDeployments (pinned to one real, validated
 * version, replicas 0 so no pod runs) and N TrainingJobs (in a namespace the local node does not serve, so their Jobs
 * get no pods), for each N given (default 100 and 1000). Prints, per N: the time until every object has its children
 * and a status, the operator's API requests per object at creation, its API requests during a full resync of
 * unchanged objects (aim: zero), and its RSS and CPU time once settled. Run: e2e-tests/bin/scale-benchmark [N ...].
 */
public final class OperatorScaleBenchmark {
  static final String SERVE = "bench-serve";
  static final String TRAIN = "bench-train";
  private static final Duration RESYNC = Duration.ofSeconds(10);

  private OperatorScaleBenchmark() {}

  /** One row of the result. */
  record Result(int objects, double secondsToSettle, double requestsPerObject, long resyncRequests, long rssBytes,
      double cpuSeconds) {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String arg : args) {
      sizes.add(Integer.parseInt(arg));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(100, 1000);
    }
    Path repository = Path.of("").toAbsolutePath();
    Path work = repository.resolve(System.getenv().getOrDefault("BENCH_DIR", ".flywheel/scale-benchmark"));
    List<Result> results = new ArrayList<>();
    for (int size : sizes) {
      results.add(measure(repository, work.resolve(String.valueOf(size)), size));
      print(results);
    }
  }

  static Result measure(Path repository, Path directory, int objects) throws Exception {
    SandboxEnvironment.Options options = new SandboxEnvironment.Options(true,
        Map.of("FLYWHEEL_SERVING_RESYNC", RESYNC.toSeconds() + "s", "FLYWHEEL_RETRAINING_INTERVAL", "1h"),
        Duration.ofSeconds(5), List.of(SERVE));
    try (SandboxEnvironment environment = SandboxEnvironment.start(repository, directory, options)) {
      KubernetesClient client = environment.client();
      BenchObjects bench = new BenchObjects(client, repository.resolve("examples/sandbox"));
      for (String namespace : List.of(SERVE, TRAIN)) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
            .create();
      }
      bench.sites();
      ChurnData.writeCsv(environment.claimFolder(SERVE, "customer-data").resolve("churn/base.csv"), 800, 7);
      String version = bench.validatedVersion(Duration.ofMinutes(3));
      System.out.printf("%d objects: one validated version (%s); creating %d ModelDeployments and %d TrainingJobs%n",
          objects, version, objects, objects);

      long requestsBefore = operatorRequests(environment);
      long start = System.nanoTime();
      for (int i = 0; i < objects; i++) {
        bench.modelDeployment("m-" + i, version);
        bench.trainingJob("t-" + i);
      }
      awaitTrue(Duration.ofMinutes(15), () -> settled(client, objects));
      double seconds = (System.nanoTime() - start) / 1e9;
      Thread.sleep(RESYNC.toMillis()); // let the last status writes and their echoes pass
      long creation = operatorRequests(environment) - requestsBefore;

      long beforeResync = operatorRequests(environment);
      Thread.sleep(RESYNC.multipliedBy(3).toMillis()); // three full resyncs of unchanged objects
      long resync = operatorRequests(environment) - beforeResync;
      ProcessUsage usage = ProcessUsage.of(environment.operator().pid());
      return new Result(objects, seconds, creation / (2.0 * objects), resync, usage.rssBytes(), usage.cpuSeconds());
    }
  }

  /**
   * The API requests the operator makes: every request but watches and the local node's own (pods, nodes, Deployment
   * and Job status). The benchmark's own creates are few and counted before the measured windows start or are part
   * of "per object at creation" (one create of each object, included).
   */
  private static long operatorRequests(SandboxEnvironment environment) {
    return environment.api().requestCounts().total(key -> !key.startsWith("WATCH") && !key.contains("pods")
        && !key.contains("nodes") && !key.endsWith("deployments/status") && !key.endsWith("jobs/status"));
  }

  private static boolean settled(KubernetesClient client, int objects) {
    List<ModelDeployment> deployments = client.resources(ModelDeployment.class).inNamespace(SERVE).list().getItems();
    long served = deployments.stream().filter(deployment -> deployment.getStatus() != null
        && deployment.getMetadata().getGeneration().equals(deployment.getStatus().getObservedGeneration())
        && deployment.getStatus().getCurrentVersion() != null).count();
    long deploymentChildren = client.apps().deployments().inNamespace(SERVE).list().getItems().size();
    List<TrainingJob> jobs = client.resources(TrainingJob.class).inNamespace(TRAIN).list().getItems();
    long placed = jobs.stream().filter(job -> job.getStatus() != null && job.getStatus().getJobName() != null).count();
    long jobChildren = client.batch().v1().jobs().inNamespace(TRAIN).list().getItems().size();
    return served >= objects && deploymentChildren >= objects && placed >= objects && jobChildren >= objects;
  }

  private static void awaitTrue(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the operator did not settle within " + timeout);
      }
      Thread.sleep(1000);
    }
  }

  private static void print(List<Result> results) {
    System.out.println();
    System.out.printf("%8s %14s %18s %16s %10s %10s%n", "objects", "settled (s)", "requests/object", "resync requests",
        "RSS (MB)", "CPU (s)");
    for (Result result : results) {
      System.out.printf(Locale.ROOT, "%8d %14.1f %18.2f %16d %10.0f %10.1f%n", result.objects(), result.secondsToSettle(),
          result.requestsPerObject(), result.resyncRequests(), result.rssBytes() / 1048576.0, result.cpuSeconds());
    }
    if (results.size() > 1) {
      Result first = results.get(0);
      Result last = results.get(results.size() - 1);
      double growth = (double) last.objects() / first.objects();
      System.out.printf(Locale.ROOT, "x%.0f objects: settle time x%.1f, requests/object x%.2f, RSS x%.2f%n", growth,
          last.secondsToSettle() / first.secondsToSettle(), last.requestsPerObject() / first.requestsPerObject(),
          (double) last.rssBytes() / first.rssBytes());
    }
    System.out.println();
  }
}
