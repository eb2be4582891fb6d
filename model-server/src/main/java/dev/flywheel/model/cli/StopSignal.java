package dev.flywheel.model.cli;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop that serve acts on — drain, then exit 0 — instead of the JVM's default
 * (run the shutdown hooks, exit 143). A second signal stops the process at once (exit 128 + its number).
 */
final class StopSignal {
  private final CountDownLatch received = new CountDownLatch(1);
  private volatile String name = "";

  private StopSignal() {}

  /** Takes over SIGTERM and SIGINT for this process. */
  static StopSignal install() {
    StopSignal stop = new StopSignal();
    for (String signal : List.of("TERM", "INT")) {
      Signal.handle(new Signal(signal), s -> {
        if (stop.received.getCount() == 0) {
          Runtime.getRuntime().halt(128 + s.getNumber()); // a second signal: stop now, without draining
        }
        stop.name = "SIG" + s.getName();
        stop.received.countDown();
      });
    }
    return stop;
  }

  /** Waits for the signal; returns its name (SIGTERM, SIGINT). */
  String await() throws InterruptedException {
    received.await();
    return name;
  }
}
