package dev.flywheel.sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stops a process a test started, and every process it started, whatever state it is in. */
public final class Processes {
  private Processes() {}

  /** SIGTERM to the process and its descendants, then SIGKILL to whatever is still alive after 10 s. */
  public static void stop(Process process) throws InterruptedException {
    if (process == null) {
      return;
    }
    stopAll(List.of(process), Duration.ofSeconds(10));
  }

  /**
   * SIGTERM to every process and its descendants at once, then SIGKILL to whatever is still alive after {@code grace};
   * returns once all have exited (or 5 s after the SIGKILL).
   */
  public static void stopAll(List<Process> processes, Duration grace) throws InterruptedException {
    List<ProcessHandle> descendants = new ArrayList<>();
    for (Process process : processes) {
      descendants.addAll(process.descendants().toList());
      process.destroy();
    }
    descendants.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (Process process : processes) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
        process.destroyForcibly();
      }
    }
    for (Process process : processes) {
      process.waitFor(5, TimeUnit.SECONDS);
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
