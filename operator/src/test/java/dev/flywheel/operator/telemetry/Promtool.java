package dev.flywheel.operator.telemetry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Prometheus' promtool (Debian package prometheus) from tests: {@code check metrics} on an exposition,
 * {@code check rules} and {@code test rules} on files. Tests that need it are skipped, saying so, where it is missing.
 * Shared with the chart's tests through the operator's test-jar.
 */
public final class Promtool {
  /** What promtool said. */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private Promtool() {}

  /** The system property {@code promtool} (a path) if set, else promtool on the PATH or /usr/bin/promtool; only if executable. */
  public static Optional<Path> binary() {
    String configured = System.getProperty("promtool");
    if (configured != null) {
      return Optional.of(Path.of(configured)).filter(Files::isExecutable);
    }
    Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        .filter(dir -> !dir.isBlank()).map(dir -> Path.of(dir, "promtool"));
    return Stream.concat(onPath, Stream.of(Path.of("/usr/bin/promtool"))).filter(Files::isExecutable).findFirst();
  }

  /** Skips the calling test, with the reason, when promtool is not installed. */
  public static Path assumeInstalled() {
    Optional<Path> binary = binary();
    Assumptions.assumeTrue(binary.isPresent(),
        "promtool is not installed (Debian: apt-get install --no-install-recommends prometheus); skipping the promtool check");
    return binary.get();
  }

  /** {@code promtool check metrics} with the exposition (Prometheus text format 0.0.4) on standard input. */
  public static Result checkMetrics(String exposition) throws IOException, InterruptedException {
    return run(exposition, "check", "metrics");
  }

  /** {@code promtool check rules} of a rules file (groups: …). */
  public static Result checkRules(Path rules) throws IOException, InterruptedException {
    return run(null, "check", "rules", rules.toString());
  }

  /** {@code promtool test rules} of a unit-test file (rule_files, tests: …). */
  public static Result testRules(Path tests) throws IOException, InterruptedException {
    return run(null, "test", "rules", tests.toString());
  }

  private static Result run(String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(assumeInstalled().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("promtool " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Result(process.exitValue(), output);
  }
}
