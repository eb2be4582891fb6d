package dev.flywheel.e2e.cluster;

import dev.flywheel.crds.validation.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl binary, run from the repository root with one kubeconfig, as a user at a terminal would. */
public final class Kubectl {
  public static final Path BINARY = Path.of("/usr/bin/kubectl");

  private final Path kubeconfig;
  private final Path work;

  /** One command's exit code and output. */
  public record Run(int exitCode, String out, String err) {
    public String all() {
      return out + err;
    }
  }

  /** kubectl with {@code kubeconfig}; its HOME (cache) and outputs under {@code work}. */
  public Kubectl(Path kubeconfig, Path work) {
    this.kubeconfig = kubeconfig;
    this.work = work;
  }

  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** Runs one command to its end (at most {@code timeoutSeconds}, then it is killed and the test fails). */
  public Run run(long timeoutSeconds, String... args) throws Exception {
    Path out = Files.createTempFile(work, "kubectl-out", ".txt");
    Path err = Files.createTempFile(work, "kubectl-err", ".txt");
    Process process = builder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " took more than " + timeoutSeconds + " s");
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  /** {@link #run(long, String...)} with a minute to finish. */
  public Run run(String... args) throws Exception {
    return run(60, args);
  }

  /** Starts a command that runs on (kubectl wait, a watch); its outputs go to files under the work folder. */
  public Process start(String... args) throws IOException {
    return builder(args)
        .redirectOutput(Files.createTempFile(work, "kubectl-out", ".txt").toFile())
        .redirectError(Files.createTempFile(work, "kubectl-err", ".txt").toFile())
        .start();
  }

  private ProcessBuilder builder(String... args) {
    List<String> command = new ArrayList<>(List.of(BINARY.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(RepoPaths.root().toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
    builder.environment().put("HOME", work.toAbsolutePath().toString());
    return builder;
  }
}
