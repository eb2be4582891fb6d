package dev.flywheel.sandbox.bench;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.crds.trainingjob.TrainingJob;
import dev.flywheel.sandbox.SandboxEnvironment;
import dev.flywheel.sandbox.operator.ImageJvmOptions;
import dev.flywheel.sandbox.story.ChurnData;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The operator's scale benchmark on the sandbox's in-process API: N ModelDeployments (pinned to one real, validated
 * version, replicas 0 so no pod runs) and N TrainingJobs (in a namespace the local node does not serve, so their Jobs
 * get no pods), for each N given (default 100 and 1000). The operator is the production jar with the image's JVM flags
 * inside the chart's memory limit ({@link ImageJvmOptions}). Prints, per N: the time until every
 * object has its children and a status, the operator's API requests per object at creation, its API requests during
 * full resyncs of unchanged objects (aim: zero), its RSS and CPU time. Run: e2e-tests/bin/scale-benchmark [N ...].
 */
public final class OperatorScaleBenchmark {
  static final String SERVE = "bench-serve";
  static final String TRAIN = "bench-train";
  private static final Duration RESYNC = Duration.ofSeconds(10);
  private static final int RESYNCS = 3;

  private OperatorScaleBenchmark() {}

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
    List<BenchReport.Result> results = new ArrayList<>();
    for (int size : sizes) {
      results.add(measure(repository, work.resolve(String.valueOf(size)), size));
      BenchReport.print(System.out, results);
    }
  }

  static BenchReport.Result measure(Path repository, Path directory, int objects) throws Exception {
    SandboxEnvironment.Options options = new SandboxEnvironment.Options(true,
        Map.of("FLYWHEEL_SERVING_RESYNC", RESYNC.toSeconds() + "s", "FLYWHEEL_RETRAINING_INTERVAL", "1h"),
        Duration.ofSeconds(5), List.of(SERVE), ImageJvmOptions.of(repository));
    try (SandboxEnvironment environment = SandboxEnvironment.start(repository, SandboxEnvironment.emptied(directory), options)) {
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
      long pid = environment.operator().pid();
      ProcessUsage started = ProcessUsage.of(pid);

      OperatorRequests beforeCreation = OperatorRequests.of(environment.api());
      long start = System.nanoTime();
      for (int i = 0; i < objects; i++) {
        bench.modelDeployment("m-" + i, version);
        bench.trainingJob("t-" + i);
      }
      awaitTrue(Duration.ofMinutes(15), () -> settled(client, objects));
      double seconds = (System.nanoTime() - start) / 1e9;
      Thread.sleep(RESYNC.toMillis()); // let the last status writes and their echoes pass
      OperatorRequests creation = OperatorRequests.of(environment.api()).since(beforeCreation);
      ProcessUsage settled = ProcessUsage.of(pid);

      OperatorDiagnostics diagnostics = new OperatorDiagnostics(pid, directory);
      diagnostics.beforeResync();
      OperatorRequests beforeResync = OperatorRequests.of(environment.api());
      ProcessUsage beforeResyncUsage = ProcessUsage.of(pid);
      Thread.sleep(RESYNC.multipliedBy(RESYNCS).toMillis()); // full resyncs of unchanged objects
      OperatorRequests resync = OperatorRequests.of(environment.api()).since(beforeResync);
      ProcessUsage idle = ProcessUsage.of(pid);
      diagnostics.afterResync();
      return new BenchReport.Result(objects, seconds, creation, resync, RESYNCS, idle.rssBytes(), started.cpuSeconds(),
          settled.cpuSeconds() - started.cpuSeconds(), idle.cpuSeconds() - beforeResyncUsage.cpuSeconds(), loadAverage());
    }
  }

  /** Every ModelDeployment has its Deployment and a status for its generation; every TrainingJob its Job and status. */
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

  /** The machine's load average over 1, 5 and 15 minutes (other work shares the cores: read CPU time, not wall). */
  private static String loadAverage() throws IOException {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }
}
