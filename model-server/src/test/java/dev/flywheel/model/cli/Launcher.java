package dev.flywheel.model.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs model-server/bin/flywheel-model as a separate process, the way pods and the sandbox run it. */
final class Launcher {
  static final Path SCRIPT = Path.of(System.getProperty("repository.root", ".."), "model-server/bin/flywheel-model").toAbsolutePath().normalize();

  record Run(int exitCode, String stdout, String stderr) {}

  static Process start(Path logs, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(SCRIPT.toString());
    command.addAll(List.of(args));
    Files.createDirectories(logs);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectOutput(logs.resolve("stdout").toFile())
        .redirectError(logs.resolve("stderr").toFile());
    builder.environment().put("JAVA_OPTS", "-Xmx512m");
    return builder.start();
  }

  static Run run(Path logs, String... args) throws Exception {
    Process process = start(logs, args);
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("flywheel-model " + String.join(" ", args) + " did not finish in 3 minutes");
    }
    return new Run(process.exitValue(), read(logs.resolve("stdout")), read(logs.resolve("stderr")));
  }

  static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  private Launcher() {}
}
