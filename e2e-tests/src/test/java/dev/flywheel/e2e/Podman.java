package dev.flywheel.e2e;

import dev.flywheel.crds.validation.RepoPaths;
import dev.flywheel.sandbox.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs images/build and podman as a user of the images does, with the containers.conf that images/build writes (runc
 * and explicit rlimits, for hosts where podman's default runtime cannot start containers).
 */
final class Podman {
  /** What a finished command printed (stdout and stderr together) and its exit code. */
  record Result(int exitCode, String output) {}

  private final Path logs;

  Podman(Path logs) {
    this.logs = logs;
  }

  /** True when a podman binary answers {@code podman --version}. */
  static boolean installed() {
    try {
      Process version = new ProcessBuilder("podman", "--version").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      return version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs images/build with its defaults (the cache in .flywheel/images of the repository). */
  Result buildImages(Duration timeout) throws Exception {
    return run(timeout, "images-build", List.of(RepoPaths.root().resolve("images/build").toString()));
  }

  /** Runs {@code podman args…} to the end. */
  Result podman(Duration timeout, String logName, List<String> args) throws Exception {
    return run(timeout, logName, withPodman(args));
  }

  /** Starts {@code podman args…}, its output going to {@code logs/logName.log}. */
  Process start(String logName, List<String> args) throws IOException {
    return builder(withPodman(args), logName).start();
  }

  /** The output so far of a command started with {@code logName}. */
  String log(String logName) {
    try {
      return Files.readString(logFile(logName), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log " + logFile(logName) + ")";
    }
  }

  private static List<String> withPodman(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add("podman");
    command.addAll(args);
    return command;
  }

  private Result run(Duration timeout, String logName, List<String> command) throws Exception {
    Process process = builder(command, logName).start();
    try {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout + ":\n" + log(logName));
      }
      return new Result(process.exitValue(), log(logName));
    } finally {
      Processes.stop(process);
    }
  }

  private ProcessBuilder builder(List<String> command, String logName) throws IOException {
    Files.createDirectories(logs);
    ProcessBuilder builder = new ProcessBuilder(command).directory(RepoPaths.root().toFile())
        .redirectErrorStream(true).redirectOutput(logFile(logName).toFile());
    Path conf = RepoPaths.root().resolve(".flywheel/images/containers.conf");
    if (Files.exists(conf)) {
      builder.environment().putIfAbsent("CONTAINERS_CONF", conf.toString());
    }
    return builder;
  }

  private Path logFile(String logName) {
    return logs.resolve(logName + ".log");
  }
}
