package dev.flywheel.sandbox;

import dev.flywheel.sandbox.story.SandboxStory;
import dev.flywheel.sandbox.story.StoryReport;
import dev.flywheel.sandbox.story.Timeline;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * README's second command (./sandbox): starts Flywheel on this machine ({@link SandboxEnvironment}), runs the story
 * ({@link SandboxStory}) with its timeline, writes summary.json, and exits 0 only when the loop closed. With --keep it
 * then stays up for kubectl and Prometheus until SIGINT or SIGTERM, and stops every process it started.
 */
public final class Sandbox {
  private static final Duration STORY_BUDGET = Duration.ofMinutes(4);

  private Sandbox() {}

  public static void main(String[] args) throws Exception {
    boolean keep = false;
    for (String arg : args) {
      if (arg.equals("--keep")) {
        keep = true;
      } else {
        System.err.println("usage: ./sandbox [--keep]");
        System.exit(2);
      }
    }
    Path repository = Path.of("").toAbsolutePath();
    Path directory = repository.resolve(System.getenv().getOrDefault("SANDBOX_DIR", ".flywheel/sandbox")).normalize();
    PrintStream out = System.out;
    CountDownLatch stopped = new CountDownLatch(1);
    StoryReport report = new StoryReport();
    heading(out, "starting Flywheel on this machine under " + directory);
    SandboxEnvironment environment = SandboxEnvironment.start(repository, SandboxEnvironment.emptied(directory), SandboxEnvironment.Options.forNamespaces(SandboxStory.NAMESPACE));
    Thread stopper = new Thread(() -> {
      environment.close();
      stopped.countDown();
    }, "sandbox-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    out.println("  API " + environment.api().url() + "   Prometheus " + environment.prometheus().baseUrl()
        + "   operator pid " + environment.operator().pid());
    out.println("  export KUBECONFIG=" + environment.kubeconfig());

    heading(out, "the story (time, resource, what it says now)");
    boolean closed;
    try (Timeline timeline = new Timeline(environment.client(), SandboxStory.NAMESPACE, out, Clock.systemUTC())) {
      SandboxStory story = new SandboxStory(environment.client(), repository.resolve("examples/sandbox"),
          (claim, path, content) -> environment.writeToClaim(SandboxStory.NAMESPACE, claim, path, content),
          () -> environment.serviceUrl(SandboxStory.NAMESPACE, "churn", 8080),
          environment.prometheus().baseUrl(), timeline, report);
      closed = story.runToEnd(STORY_BUDGET);
    }
    report.write(directory.resolve("summary.json"));
    heading(out, "summary (" + directory.resolve("summary.json") + ")");
    report.print(out);
    out.println("  logs: " + directory.resolve("logs") + " and " + directory.resolve("node/pods"));
    if (keep) {
      heading(out, "Flywheel stays up: Ctrl-C (or SIGTERM) stops every process it started");
      out.println("  export KUBECONFIG=" + environment.kubeconfig());
      out.println("  kubectl get flywheel -A");
      out.println("  Prometheus: " + environment.prometheus().baseUrl());
      stopped.await();
    }
    System.exit(closed ? 0 : 1); // the shutdown hook stops everything
  }

  private static void heading(PrintStream out, String text) {
    out.printf("%n\033[1m== %s\033[0m%n", text);
  }
}
