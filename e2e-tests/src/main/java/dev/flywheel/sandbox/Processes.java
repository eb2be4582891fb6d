package dev.flywheel.sandbox;

import java.util.concurrent.TimeUnit;

/** Stops a process a test started, and every process it started, whatever state it is in. */
public final class Processes {
  private Processes() {}

  /** SIGTERM to the process and its descendants, then SIGKILL to whatever is still alive after 10 s. */
  public static void stop(Process process) throws InterruptedException {
    if (process == null) {
      return;
    }
    var descendants = process.descendants().toList();
    process.destroy();
    descendants.forEach(ProcessHandle::destroy);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
