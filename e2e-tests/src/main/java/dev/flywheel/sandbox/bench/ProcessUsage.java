package dev.flywheel.sandbox.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A Linux process's resident memory and CPU time, read from /proc (no agent in the measured process). */
record ProcessUsage(long rssBytes, double cpuSeconds) {
  private static final double CLOCK_TICKS = 100.0; // USER_HZ on Linux

  static ProcessUsage of(long pid) throws IOException {
    long rssKb = 0;
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    return new ProcessUsage(rssKb * 1024, ticks / CLOCK_TICKS);
  }
}
