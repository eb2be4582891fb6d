package dev.flywheel.sandbox.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the operator's memory and CPU go to, with the JDK's jcmd (no agent in the operator): with BENCH_DIAGNOSE=1 the
 * benchmark records a Flight Recorder profile of the resync window and, after it, the heap, the native memory (when
 * the operator runs with -XX:NativeMemoryTracking) and a class histogram into the size's directory.
 */
final class OperatorDiagnostics {
  private final long pid;
  private final Path directory;
  private final boolean enabled;

  OperatorDiagnostics(long pid, Path directory) {
    this.pid = pid;
    this.directory = directory;
    this.enabled = "1".equals(System.getenv("BENCH_DIAGNOSE"));
  }

  /** Starts a Flight Recorder profile (written when {@link #afterResync()} runs). */
  void beforeResync() throws IOException, InterruptedException {
    if (enabled) {
      jcmd("jfr-start.txt", "JFR.start", "name=resync", "settings=profile",
          "filename=" + directory.resolve("resync.jfr").toAbsolutePath());
    }
  }

  /** Stops the profile and records heap, native memory and the class histogram (which runs a full GC: call it last). */
  void afterResync() throws IOException, InterruptedException {
    if (enabled) {
      jcmd("jfr-stop.txt", "JFR.stop", "name=resync");
      jcmd("heap-info.txt", "GC.heap_info");
      jcmd("native-memory.txt", "VM.native_memory", "summary");
      jcmd("class-histogram.txt", "GC.class_histogram");
      System.out.println("diagnostics of the operator: " + directory.toAbsolutePath() + " (resync.jfr: jfr print --events"
          + " jdk.ExecutionSample; heap-info.txt, native-memory.txt, class-histogram.txt)");
    }
  }

  private void jcmd(String output, String... command) throws IOException, InterruptedException {
    List<String> arguments = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid)));
    arguments.addAll(List.of(command));
    Process process = new ProcessBuilder(arguments).redirectErrorStream(true)
        .redirectOutput(directory.resolve(output).toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
