package dev.flywheel.model.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;

/**
 * How much memory a running model server takes under a burst of connections: drives POST /v2/models/{name}/infer
 * (a batch of churn rows) on every connection of a bounded closed loop on 127.0.0.1 (at most 1,024 connections and
 * 60 s), then prints the server process's resident memory now and at its peak (VmRSS, VmHWM).
 * Usage: MemoryBurst port pid model [connections 1024] [seconds 20] [rows 32].
 */
public final class MemoryBurst {
  private MemoryBurst() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    long pid = Long.parseLong(args[1]);
    String model = args[2];
    int connections = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
    double seconds = args.length > 4 ? Double.parseDouble(args[4]) : 20;
    int rows = args.length > 5 ? Integer.parseInt(args[5]) : 32;
    System.out.printf("before: %s%n", memory(pid));
    LoadGenerator.Result result = LoadGenerator.run(port, "/v2/models/" + model + "/infer", churnRows(rows), connections, seconds);
    System.out.printf("%d connections, %.0f s, %d rows a request: %d answers (%d not 200), p50 %.1f ms, p99 %.1f ms%n",
        connections, result.seconds(), rows, result.requests(), result.failures(), result.p50Millis(), result.p99Millis());
    System.out.printf("after: %s%n", memory(pid));
  }

  /** A request with the churn features of SyntheticData, one tensor per feature. */
  private static byte[] churnRows(int rows) {
    StringJoiner tenure = new StringJoiner(",");
    StringJoiner charges = new StringJoiner(",");
    StringJoiner calls = new StringJoiner(",");
    StringJoiner contract = new StringJoiner(",");
    for (int r = 0; r < rows; r++) {
      tenure.add(String.valueOf(r % 72));
      charges.add(String.valueOf(20 + r % 100));
      calls.add(String.valueOf(r % 7));
      contract.add(r % 2 == 0 ? "\"month-to-month\"" : "\"two-year\"");
    }
    String json = "{\"inputs\": ["
        + tensor("tenure_months", "FP32", rows, tenure) + ","
        + tensor("monthly_charges", "FP32", rows, charges) + ","
        + tensor("support_calls", "INT64", rows, calls) + ","
        + tensor("contract", "BYTES", rows, contract) + "]}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static String tensor(String name, String datatype, int rows, StringJoiner data) {
    return "{\"name\": \"" + name + "\", \"shape\": [" + rows + "], \"datatype\": \"" + datatype + "\", \"data\": [" + data + "]}";
  }

  /** VmRSS and VmHWM of the process, from /proc. */
  private static String memory(long pid) throws IOException {
    StringJoiner out = new StringJoiner(", ");
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) {
        out.add(line.replaceAll("\\s+", " "));
      }
    }
    return out.toString();
  }
}
