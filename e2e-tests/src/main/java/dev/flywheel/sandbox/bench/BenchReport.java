package dev.flywheel.sandbox.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The scale benchmark's table: one row per size, the breakdown of the requests, and the growth from first to last. */
final class BenchReport {
  /** One size's figures; CPU is the operator's user + system time in each phase, load the 1-minute load average. */
  record Result(int objects, double secondsToSettle, OperatorRequests creation, OperatorRequests resync, int resyncs,
      long rssBytes, double cpuStartSeconds, double cpuCreationSeconds, double cpuResyncSeconds, String load) {
    /** Requests per object created (a ModelDeployment and a TrainingJob are two objects). */
    double requestsPerObject() {
      return creation.total() / (2.0 * objects);
    }

    /** Milliseconds of operator CPU per object created. */
    double cpuMillisPerObject() {
      return cpuCreationSeconds * 1000 / (2.0 * objects);
    }
  }

  private BenchReport() {}

  static void print(PrintStream out, List<Result> results) {
    out.println();
    out.printf("%8s %9s %10s %7s %7s %9s %9s %10s %8s %6s  %s%n", "objects", "settle s", "req/object", "resync",
        "leases", "CPU start", "CPU creat", "ms/object", "CPU idle", "RSS MB", "load (1/5/15 min)");
    for (Result result : results) {
      out.printf(Locale.ROOT, "%8d %9.1f %10.2f %7d %7d %9.1f %9.1f %10.1f %8.2f %6.0f  %s%n", result.objects(),
          result.secondsToSettle(), result.requestsPerObject(), result.resync().withoutLeases().total(),
          result.resync().leases().total(), result.cpuStartSeconds(),
          result.cpuCreationSeconds(), result.cpuMillisPerObject(), result.cpuResyncSeconds(),
          result.rssBytes() / 1048576.0, result.load());
    }
    for (Result result : results) {
      out.printf(Locale.ROOT, "%d objects, requests per object at creation: %s%n", result.objects(),
          result.creation().describe(2.0 * result.objects()));
      out.printf(Locale.ROOT, "%d objects, requests in %d resyncs of unchanged objects: %s%n", result.objects(),
          result.resyncs(), result.resync().describe(1));
    }
    if (results.size() > 1) {
      Result first = results.get(0);
      Result last = results.get(results.size() - 1);
      out.printf(Locale.ROOT, "x%.0f objects: settle time x%.1f, requests/object x%.2f, CPU at creation x%.1f, RSS x%.2f%n",
          (double) last.objects() / first.objects(), last.secondsToSettle() / first.secondsToSettle(),
          last.requestsPerObject() / first.requestsPerObject(),
          last.cpuCreationSeconds() / first.cpuCreationSeconds(), (double) last.rssBytes() / first.rssBytes());
    }
    out.println("columns: settle s = wall seconds from the first create until every object has its children and a"
        + " status; req/object = the operator's requests per object created (leader election included); resync = its"
        + " requests while unchanged objects resync, leases = leader election's Lease renewals meanwhile; CPU = its"
        + " user+system seconds: start (JVM start to the seed version validated), creat (creating and settling, one"
        + " resync included), idle (the resyncs); ms/object = CPU creat per object; RSS once settled");
    out.println();
  }
}
