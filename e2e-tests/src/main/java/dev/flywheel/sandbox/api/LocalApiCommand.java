package dev.flywheel.sandbox.api;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the in-process API alone until SIGINT or SIGTERM, for trying kubectl by hand:
 * {@code java -cp ... dev.flywheel.sandbox.api.LocalApiCommand helm/flywheel/crds .flywheel/api/kubeconfig}.
 */
public final class LocalApiCommand {
  private LocalApiCommand() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: LocalApiCommand <crd directory> <kubeconfig to write>");
      System.exit(2);
    }
    LocalApiServer api = LocalApiServer.start(Path.of(args[0]));
    Path kubeconfig = Path.of(args[1]).toAbsolutePath();
    api.writeKubeconfig(kubeconfig);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      api.close();
      stopped.countDown();
    }));
    System.out.println("API at " + api.url());
    System.out.println("export KUBECONFIG=" + kubeconfig);
    stopped.await();
  }
}
